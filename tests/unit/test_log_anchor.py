"""An earlier head kept outside the database (domain/audit.py `Anchor`): with its position, the
event there must carry exactly that hash (a different one is reported as the mismatch); without
it, the first event carrying that hash is where the log is anchored."""

from datetime import UTC, datetime

from helpdesk.domain import events as ev
from helpdesk.domain.audit import Anchor, LogVerifier, StoredEvent


def chain(n: int) -> list[dict]:
    records, prev = [], ev.GENESIS_HASH
    for seq in range(1, n + 1):
        record = ev.make_record("T-000001", seq, datetime(2026, 1, 5, 9, seq, tzinfo=UTC), "commented", "jan")
        record = {**record, "prev": prev}
        record["hash"] = prev = ev.chain_hash(prev, record)
        records.append(record)
    return records


def verify(records: list[dict], anchor: Anchor) -> LogVerifier:
    verifier = LogVerifier(anchor)
    for record in records:
        verifier.feed(record)
    return verifier


def test_an_anchor_with_its_position_is_found_there_or_reported_as_a_mismatch():
    records = chain(3)
    second = records[1]["hash"]
    found = verify(records, Anchor(second, events=2))
    assert (found.anchor_position, found.anchor_mismatch) == (2, None)
    wrong = verify(records, Anchor("f" * 64, events=2))
    assert (wrong.anchor_position, wrong.anchor_mismatch) == (None, second)
    elsewhere = verify(records, Anchor(second, events=3))
    assert (elsewhere.anchor_position, elsewhere.anchor_mismatch) == (None, records[2]["hash"])


def test_an_anchor_without_position_is_the_first_event_carrying_its_hash():
    records = chain(3)
    found = verify(records, Anchor(records[1]["hash"]))
    assert (found.anchor_position, found.anchor_mismatch) == (2, None)
    assert verify(records, Anchor("f" * 64)).anchor_position is None


def stored(row_id: int, ticket_no: int, data: str = "{}") -> StoredEvent:
    return StoredEvent(
        row_id, ticket_no, 1, "2026-01-05T09:00:00+00:00", None, "commented", "jan", data, None, "0" * 64, "x"
    )


def test_a_misnumbered_or_broken_row_names_its_ticket_the_log_itself_as_t_000000():
    verifier = LogVerifier()
    verifier.feed_row(stored(7, 0))
    verifier.feed_row(stored(2, 5, data="[]"))
    verifier.feed_row(stored(9, -3))
    assert [(p.position, p.ticket, p.seq, p.reason) for p in verifier.problems][:4] == [
        (1, "T-000000", 1, "identyfikator 7 zamiast 1: zdarzenie wstawiono, usunięto lub przenumerowano"),
        (1, "T-000000", 1, "treść nie zgadza się ze skrótem (zmieniona)"),
        (2, "T-000005", 1, "kolumna data nie jest obiektem JSON"),
        (3, "-3", 1, "identyfikator 9 zamiast 3: zdarzenie wstawiono, usunięto lub przenumerowano"),
    ]


def test_a_row_whose_utc_time_is_not_its_event_time_is_named():
    row = StoredEvent(
        1,
        4,
        1,
        "2026-01-05T10:00:00+01:00",
        datetime(2026, 1, 5, 10, 0),
        "commented",
        "jan",
        "{}",
        None,
        "0" * 64,
        "x",
    )
    verifier = LogVerifier()
    verifier.feed_row(row)
    assert (verifier.problems[0].position, verifier.problems[0].ticket, verifier.problems[0].seq) == (
        1,
        "T-000004",
        1,
    )
    assert verifier.problems[0].reason == (
        "kolumna at_utc (2026-01-05 10:00:00) nie jest czasem zdarzenia 2026-01-05T10:00:00+01:00 w UTC "
        "(decyduje o okresie raportu)"
    )
    on_time = LogVerifier()
    on_time.feed_row(
        StoredEvent(
            1, 4, 1, row.at, datetime(2026, 1, 5, 9, 0, 0, 400), "commented", "jan", "{}", None, "0" * 64, "x"
        )
    )
    assert [p.reason[:20] for p in on_time.problems] == ["treść nie zgadza się"]
