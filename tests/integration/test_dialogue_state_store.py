"""The dialogue's state is saved with one upsert (deferred on PostgreSQL: no round trip of its own),
and a webhook update stored with an owner is that worker's claim — on SQLite and PostgreSQL."""

from datetime import timedelta

from helpdesk.adapters.db.telegram_store import STALE_CLAIM
from tests.support.world import START


def test_a_state_is_created_replaced_read_back_and_deleted(any_container):
    db = any_container.db
    key = "telegram:70001"
    assert db.read(lambda tx: tx.dialogue_load(key)) == {}
    db.write(lambda tx: tx.dialogue_save(key, {"mode": "answered", "q": 1}, START))
    db.write(lambda tx: tx.dialogue_save(key, {"mode": "ticket", "step": "ąę"}, START))
    assert db.read(lambda tx: tx.dialogue_load(key)) == {"mode": "ticket", "step": "ąę"}

    # Saved twice in one transaction (and read back inside it): the last one stands.
    def twice(tx):
        tx.dialogue_save(key, {"mode": "idle"}, START)
        tx.dialogue_save("telegram:70002", {"mode": "offered"}, START)
        tx.dialogue_save(key, {"mode": "thread", "ticket": "T-000001"}, START)
        return tx.dialogue_load(key)

    assert db.write(twice) == {"mode": "thread", "ticket": "T-000001"}
    assert db.read(lambda tx: tx.dialogue_load(key)) == {"mode": "thread", "ticket": "T-000001"}
    assert db.read(lambda tx: tx.dialogue_load("telegram:70002")) == {"mode": "offered"}
    db.write(lambda tx: tx.dialogue_save(key, {}, START))
    assert db.read(lambda tx: tx.dialogue_load(key)) == {}


def test_an_update_stored_with_an_owner_is_that_workers_live_claim(any_container):
    db = any_container.db
    assert db.write(lambda tx: tx.tg_store_updates([(11, "{}"), (12, "{}")], START, "w1")) == {11, 12}
    assert db.write(lambda tx: tx.tg_store_updates([(11, "{}")], START, "w2")) == set()  # seen before
    # Its own worker would not take it again (it holds it); once stale, anyone may.
    assert db.write(lambda tx: tx.tg_claim_updates([11], START, "w1")) == set()
    later = START + STALE_CLAIM + timedelta(seconds=1)
    assert db.write(lambda tx: tx.tg_claim_updates([12], later, "w1")) == {12}
    assert db.read(lambda tx: tx.tg_unprocessed(later, 10)) == [(11, "{}")]
