"""The dialogue's state is saved with one upsert (deferred on PostgreSQL: no round trip of its own),
and a webhook update stored with an owner is that worker's claim — on SQLite and PostgreSQL."""

from datetime import timedelta
from typing import Any

import psycopg
import pytest

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


@pytest.mark.postgres
def test_states_are_written_last_and_in_key_order_so_two_workers_never_deadlock_on_them(
    pg_container, monkeypatch
):
    """Two workers answering the same two people, each batch in its own order, would lock the two
    state rows crosswise (PostgreSQL breaks that deadlock only after a second). The states are held
    to the end of the transaction and sent in key order, whatever else the units read between."""
    db = pg_container.db
    sent: list[str] = []
    original = psycopg.Cursor.execute

    def execute(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        sent.append(str(query).split("(")[0].strip() + " " + str((params or ("",))[0]))
        return original(cursor, query, params, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)

    def batch(tx: Any) -> None:  # the question's id is read back between the states
        tx.dialogue_save("telegram:2", {"mode": "answered"}, START)
        query = {"at": START, "person_id": None, "office": None, "channel": "telegram", "text": "pytanie"}
        tx.kb_record_query({**query, "answered": False, "article_id": None, "component": None, "score": 0.0})
        tx.dialogue_save("telegram:1", {"mode": "offered"}, START)
        tx.dialogue_save("telegram:3", {}, START)

    db.write(batch)
    states = [s for s in sent if "dialogue_state" in s]
    queries = [i for i, s in enumerate(sent) if "kb_query" in s]
    assert [s.rsplit(" ", 1)[1] for s in states] == ["telegram:1", "telegram:2", "telegram:3"]
    assert min(i for i, s in enumerate(sent) if "dialogue_state" in s) > max(queries)
    assert db.read(lambda tx: tx.dialogue_load("telegram:2")) == {"mode": "answered"}
