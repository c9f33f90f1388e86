"""Claiming a batch of Telegram updates (`tg_claim_updates`): the ones stored before (a webhook stores
each update before the 200) are taken on the same terms as one claim at a time — unfinished, and
another owner's or older than STALE_CLAIM — in one statement, on SQLite and PostgreSQL."""

from datetime import timedelta

from helpdesk.adapters.db.telegram_store import STALE_CLAIM
from tests.support.world import START


def test_a_batch_claim_takes_new_stored_and_abandoned_updates_but_not_live_or_finished_ones(any_container):
    db = any_container.db
    now = START
    # 1: stored by the webhook (no owner yet); 2: claimed by this worker a moment ago;
    # 3: claimed by another worker a moment ago (it died, or lives); 4: claimed by this worker long ago;
    # 5: finished; 6: never seen.
    db.write(lambda tx: tx.tg_store_updates([(1, "{}")], now))
    db.write(lambda tx: tx.tg_claim_updates([2, 4, 5], now - STALE_CLAIM - timedelta(seconds=1), "w1"))
    db.write(lambda tx: tx.tg_claim_updates([2], now, "w1"))  # its own, fresh again
    db.write(lambda tx: tx.tg_claim_updates([3], now, "w2"))
    db.write(lambda tx: tx.tg_updates_done([5], now))

    claimed = db.write(lambda tx: tx.tg_claim_updates([1, 2, 3, 4, 5, 6], now, "w1"))

    # 1 stored without an owner, 3 another worker's, 4 stale, 6 new; not 2 (ours and live), not 5 (done).
    assert claimed == {1, 3, 4, 6}
    one_by_one = db.write(lambda tx: [tx.tg_claim_update(i, now, "w1") for i in (1, 2, 3, 4, 5, 6)])
    assert one_by_one == [False] * 6  # all now ours and fresh, or finished: the same terms
