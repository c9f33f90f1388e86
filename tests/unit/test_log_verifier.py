"""What the auditor's check of the log (domain/audit.py `LogVerifier`) reports, word for word: each
problem with its place, ticket and sequence number; personal content against its digest; a
ticket's numbering and time; the stored head and count; an earlier head kept outside the
database; and the ticket rows against what their events say. The logs are built here by hand."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from helpdesk.domain import events as ev
from helpdesk.domain.audit import MAX_PROBLEMS, Anchor, LogVerifier, Problem, TicketFacts

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Log:
    """A hash-chained log built event by event, as the desk would store it."""

    def __init__(self) -> None:
        self.records: list[dict] = []
        self.prev = ev.GENESIS_HASH

    def add(
        self, ticket: str, seq: int, minute: float, type_: str, actor: str | None = "jan", **data
    ) -> dict:
        record = ev.make_record(ticket, seq, T0 + timedelta(minutes=minute), type_, actor, data)
        return self.raw(record)

    def raw(self, record: dict) -> dict:
        """Chain `record` as it is (whatever fields it has)."""
        record = {**record, "prev": self.prev}
        record["hash"] = self.prev = ev.chain_hash(self.prev, record)
        self.records.append(record)
        return record

    def verify(self, anchor: Anchor | None = None) -> LogVerifier:
        verifier = LogVerifier(anchor)
        for record in self.records:
            verifier.feed(record)
        return verifier


def found(verifier: LogVerifier) -> list[tuple]:
    return [(p.position, p.ticket, p.seq, p.reason) for p in verifier.problems]


def ticket_one() -> Log:
    log = Log()
    log.add("T-000001", 1, 0, "created", office="1462011", component="EZD", priority="normal")
    log.add("T-000001", 2, 5, "escalated", "lider", contract="umowa-a", contractor="wyk-a", priority="high")
    log.add("T-000001", 3, 9, "acknowledged", "agent")
    return log


FACTS = TicketFacts(1, "1462011", "jan", "EZD", "acknowledged", True, "high", "umowa-a", "wyk-a", 3)


# --- problems and their words -----------------------------------------------------------------
def test_a_problem_names_the_event_the_ticket_and_its_seq_as_far_as_known():
    assert Problem(0, None, None, "zła rzecz").describe() == "zła rzecz"
    assert (
        Problem(3, "T-000001", 2, "zła rzecz").describe()
        == "zdarzenie nr 3 (zgłoszenie T-000001, seq 2): zła rzecz"
    )
    assert (
        Problem(3, "T-000001", None, "zła rzecz").describe()
        == "zdarzenie nr 3 (zgłoszenie T-000001): zła rzecz"
    )
    assert (
        Problem(0, "T-000001", None, "zła rzecz").describe() == "zgłoszenie (zgłoszenie T-000001): zła rzecz"
    )
    assert Problem(4, None, None, "zła rzecz").describe() == "zdarzenie nr 4: zła rzecz"


def test_a_new_verifier_has_seen_nothing_and_keeps_at_most_max_problems():
    verifier = LogVerifier()
    assert (verifier.count, verifier.head, verifier.ok, verifier.redacted) == (0, ev.GENESIS_HASH, True, 0)
    assert (verifier.problems, verifier.more_problems, verifier.tickets, verifier.reanchors) == (
        [],
        0,
        {},
        [],
    )
    assert (verifier.anchor, verifier.anchor_position, verifier.anchor_mismatch) == (None, None, None)
    for i in range(MAX_PROBLEMS + 2):
        verifier.problem(i, None, None, "x")
    assert MAX_PROBLEMS == 1000
    assert (len(verifier.problems), verifier.more_problems, verifier.ok) == (1000, 2, False)
    assert verifier.problems[-1] == Problem(999, None, None, "x")


# --- a clean log ------------------------------------------------------------------------------
def test_a_clean_log_has_no_problem_and_its_head_and_tickets_agree():
    log = ticket_one()
    verifier = log.verify()
    verifier.check_head(log.prev, 3)
    verifier.check_tickets([FACTS])
    verifier.check_anchor()
    assert found(verifier) == []
    assert (verifier.count, verifier.head) == (3, log.prev)


# --- the chain itself -------------------------------------------------------------------------
def test_a_missing_hash_a_broken_link_and_altered_content_are_each_named():
    log = ticket_one()
    log.records[0] = {k: v for k, v in log.records[0].items() if k != "hash"}
    log.records[2] = {**log.records[2], "actor": "ktoś"}
    assert found(log.verify()) == [
        (1, "T-000001", 1, "brak skrótu (hash)"),
        (1, "T-000001", 1, "treść nie zgadza się ze skrótem (zmieniona)"),
        (
            2,
            "T-000001",
            2,
            "powiązanie z poprzednim zdarzeniem się nie zgadza (zdarzenie wstawiono, usunięto lub przestawiono)",
        ),
        (3, "T-000001", 3, "treść nie zgadza się ze skrótem (zmieniona)"),
    ]


# --- personal content -------------------------------------------------------------------------
def test_personal_content_must_match_its_digest_and_removed_content_is_counted():
    log = Log()
    good = ev.seal(
        ev.make_record("T-000001", 1, T0, "created", "jan", {"title": "Drukarka", "office": "1"}), "s"
    )
    log.raw(good)
    changed = ev.seal(ev.make_record("T-000001", 2, T0, "commented", "jan", {"text": "a"}), "s")
    changed[ev.PERSONAL] = {**changed[ev.PERSONAL], "text": "b"}  # not hashed: only the digest tells
    log.raw(changed)
    no_digest = ev.make_record("T-000001", 3, T0, "commented", "jan")
    no_digest[ev.PERSONAL] = {"salt": "s", "text": "c"}
    log.raw(no_digest)
    removed = ev.seal(ev.make_record("T-000001", 4, T0, "commented", "jan", {"text": "d"}), "s")
    removed[ev.PERSONAL] = None
    log.raw(removed)
    not_a_mapping = ev.seal(ev.make_record("T-000001", 5, T0, "commented", "jan", {"text": "e"}), "s")
    not_a_mapping[ev.PERSONAL] = ["e"]
    log.raw(not_a_mapping)
    removed_too = ev.seal(ev.make_record("T-000001", 6, T0, "commented", "jan", {"text": "f"}), "s")
    removed_too[ev.PERSONAL] = None
    log.raw(removed_too)
    verifier = log.verify()
    assert found(verifier) == [
        (2, "T-000001", 2, "dane osobowe nie zgadzają się ze skrótem personal_sha256"),
        (3, "T-000001", 3, "dane osobowe bez skrótu personal_sha256 (poza łańcuchem)"),
        (5, "T-000001", 5, "dane osobowe nie zgadzają się ze skrótem personal_sha256"),
    ]
    assert verifier.redacted == 2


# --- a ticket's own numbering and time --------------------------------------------------------
def test_fields_ticket_numbers_and_times_that_cannot_be_read_are_named():
    log = Log()
    log.raw({"ticket": "T-000001", "seq": 1, "at": "2026-01-05T09:00:00+00:00"})  # no type
    log.raw({"ticket": "T-000001", "type": "commented", "at": "2026-01-05T09:00:00+00:00"})  # no seq
    log.raw({"ticket": "T-000001", "seq": True, "type": "commented", "at": "2026-01-05T09:00:00+00:00"})
    log.raw({"ticket": "T-000001", "seq": 1, "type": "", "at": "2026-01-05T09:00:00+00:00"})
    log.raw({"seq": 1, "type": "commented", "at": "2026-01-05T09:00:00+00:00"})  # no ticket
    log.raw(
        {
            "ticket": "X-000001-and-more-than-twenty",
            "seq": 1,
            "type": "commented",
            "at": "2026-01-05T09:00:00+00:00",
        }
    )
    log.raw({"ticket": "T-１", "seq": 1, "type": "commented", "at": "2026-01-05T09:00:00+00:00"})
    log.raw({"ticket": "T-abc", "seq": 1, "type": "commented", "at": "2026-01-05T09:00:00+00:00"})
    log.raw({"ticket": "T-000001", "seq": 1, "type": "commented", "at": "2026-01-05T09:00:00"})
    assert found(log.verify()) == [
        (1, "T-000001", 1, "brak pola ticket, seq lub type"),
        (2, "T-000001", None, "brak pola ticket, seq lub type"),
        (3, "T-000001", None, "brak pola ticket, seq lub type"),
        (4, "T-000001", 1, "brak pola ticket, seq lub type"),
        (5, None, 1, "brak pola ticket, seq lub type"),
        (6, "X-000001-and-more-than-twenty", 1, "niepoprawny numer zgłoszenia 'X-000001-and-more-th'"),
        (7, "T-１", 1, "niepoprawny numer zgłoszenia 'T-１'"),
        (8, "T-abc", 1, "niepoprawny numer zgłoszenia 'T-abc'"),
        (9, "T-000001", 1, "czas zdarzenia '2026-01-05T09:00:00' bez przesunięcia strefy"),
    ]


def test_a_gap_in_seq_and_a_time_more_than_five_minutes_back_are_named():
    log = Log()
    log.add("T-000002", 1, 10, "created", office="1462011")
    log.add("T-000002", 3, 20, "commented")
    log.add("T-000002", 4, 15, "commented")  # five minutes back: allowed
    log.add("T-000002", 5, 14, "commented")  # six minutes behind the latest
    log.add("T-000002", 6, 20, "commented")
    log.add("T-000002", 6, 21, "commented")
    verifier = log.verify()
    assert found(verifier) == [
        (2, "T-000002", 3, "numer kolejny 3 zamiast 2 w zgłoszeniu"),
        (
            4,
            "T-000002",
            5,
            "czas 2026-01-05T09:14:00+00:00 jest wcześniejszy niż poprzednie zdarzenie zgłoszenia "
            "(2026-01-05T09:20:00+00:00): zdarzenie dopisano z datą wsteczną",
        ),
        (6, "T-000002", 6, "numer kolejny 6 zamiast 7 w zgłoszeniu"),
    ]
    assert verifier.tickets[2].latest == T0 + timedelta(minutes=21)
    assert verifier.tickets[2].seq == 6


def test_the_logs_own_events_are_kept_for_the_anchor_and_build_no_ticket():
    log = Log()
    log.add("T-000000", 1, 0, "log_reanchored", None, legacy_head="a" * 64, legacy_events=7)
    log.add("T-000000", 2, 1, "office_calendar_changed", None, office="1462011")
    verifier = log.verify()
    assert found(verifier) == []
    assert verifier.reanchors == [{"position": 1, **log.records[0]}]
    verifier.check_tickets([])
    assert found(verifier) == []
    assert verifier.tickets[0].office is None


# --- at the end -------------------------------------------------------------------------------
def test_the_stored_count_and_head_must_be_what_the_log_computes():
    log = ticket_one()
    verifier = log.verify()
    verifier.check_head(log.prev, 2)
    verifier.check_head("e" * 64, 3)
    assert found(verifier) == [
        (
            0,
            None,
            None,
            "dziennik ma 3 zdarzeń, a nagłówek łańcucha w bazie wskazuje 2 "
            "(zdarzenia usunięto lub dopisano z pominięciem nagłówka)",
        ),
        (
            0,
            None,
            None,
            f"obliczony skrót ostatniego zdarzenia {log.prev} różni się od zapisanego w bazie "
            f"{'e' * 64} (zmieniono ostatnie zdarzenia)",
        ),
    ]


def test_an_earlier_head_that_is_not_in_the_log_is_reported_with_why():
    log = ticket_one()
    second = log.records[1]["hash"]

    def anchor_problems(anchor: Anchor) -> list[tuple]:
        verifier = log.verify(anchor)
        verifier.check_anchor()
        return found(verifier)

    assert anchor_problems(Anchor(second, 2)) == []
    assert anchor_problems(Anchor("f" * 64, 2)) == [
        (
            0,
            None,
            None,
            f"zdarzenie nr 2 ma skrót {second}, a zapisany poza bazą nagłówek {'f' * 64}: dziennik "
            "przepisano od tego miejsca lub wcześniej",
        )
    ]
    assert anchor_problems(Anchor("f" * 64, 4)) == [
        (
            0,
            None,
            None,
            "dziennik ma tylko 3 zdarzeń, a nagłówek zapisany poza bazą obejmował 4: zdarzenia usunięto",
        )
    ]
    assert anchor_problems(Anchor("f" * 64, 3 + 0)) == [
        (
            0,
            None,
            None,
            f"zdarzenie nr 3 ma skrót {log.prev}, a zapisany poza bazą nagłówek {'f' * 64}: dziennik "
            "przepisano od tego miejsca lub wcześniej",
        )
    ]
    assert anchor_problems(Anchor("f" * 64)) == [
        (
            0,
            None,
            None,
            f"nagłówka {'f' * 64} nie ma w dzienniku: dziennik przepisano albo nagłówek pochodzi z innej bazy",
        )
    ]


def test_an_earlier_head_found_as_the_old_head_of_a_reanchoring_proves_the_log():
    log = Log()
    log.add("T-000000", 1, 0, "log_reanchored", None, legacy_head="a" * 64, legacy_events=7)
    log.add("T-000000", 2, 1, "log_reanchored", None, legacy_head="b" * 64, legacy_events=9)

    def anchored(anchor: Anchor) -> tuple:
        verifier = log.verify(anchor)
        verifier.check_anchor()
        return verifier.anchor_position, [p.reason[:40] for p in verifier.problems]

    assert anchored(Anchor("a" * 64)) == (1, [])
    assert anchored(Anchor("b" * 64, 9)) == (2, [])
    assert anchored(Anchor("a" * 64, 7)) == (1, [])
    assert anchored(Anchor("a" * 64, 1)) == (None, ["zdarzenie nr 1 ma skrót " + log.records[0]["hash"][:16]])
    missing = anchored(Anchor("a" * 64, 8))
    assert missing == (None, ["dziennik ma tylko 2 zdarzeń, a nagłówek "])


def test_ticket_rows_must_say_what_their_events_say():
    log = ticket_one()
    log.add("T-000003", 1, 30, "created", office="1465011")
    verifier = log.verify()
    wrong = TicketFacts(1, "1465011", "ola", "ESB", "escalated", False, "low", "umowa-b", "wyk-b", 2)
    orphan = TicketFacts(2, "1462011", "jan", None, "new", False, "normal", None, None, 1)
    verifier.check_tickets([wrong, orphan])
    assert found(verifier) == [
        (
            0,
            "T-000001",
            None,
            f"kolumna {name} wiersza zgłoszenia ma wartość {stored!r}, a ze zdarzeń wynika {computed!r}",
        )
        for name, stored, computed in [
            ("office", "1465011", "1462011"),
            ("author", "ola", "jan"),
            ("component", "ESB", "EZD"),
            ("state", "escalated", "acknowledged"),
            ("escalated", False, True),
            ("priority", "low", "high"),
            ("contract", "umowa-b", "umowa-a"),
            ("contractor", "wyk-b", "wyk-a"),
            ("last_seq", 2, 3),
        ]
    ] + [
        (0, "T-000002", None, "wiersz zgłoszenia bez żadnego zdarzenia w dzienniku"),
        (0, "T-000003", None, "zdarzenia zgłoszenia, którego wiersza nie ma w bazie"),
    ]


def test_a_component_change_and_a_second_escalation_are_followed_as_the_ticket_row_is():
    log = ticket_one()
    log.add("T-000001", 4, 12, "component_changed", "lider", component="ESB")
    log.add("T-000001", 5, 13, "escalated", "lider", contract="umowa-b", contractor="wyk-b", priority="low")
    verifier = log.verify()
    facts = TicketFacts(1, "1462011", "jan", "ESB", "escalated", True, "high", "umowa-a", "wyk-a", 5)
    verifier.check_tickets([facts])
    assert found(verifier) == []
    no_priority = TicketFacts(3, "1465011", "jan", None, "new", False, "normal", None, None, 1)
    other = Log()
    other.add("T-000003", 1, 0, "created", office="1465011")
    checked = other.verify()
    checked.check_tickets([no_priority])
    assert found(checked) == []


def test_an_anchor_at_position_zero_is_never_in_the_log_not_even_an_empty_one():
    for log in (Log(), ticket_one()):
        verifier = log.verify(Anchor("f" * 64, 0))
        verifier.check_anchor()
        assert found(verifier) == [
            (
                0,
                None,
                None,
                f"nagłówka {'f' * 64} na pozycji 0 nie ma w dzienniku: dziennik przepisano albo nagłówek "
                "pochodzi z innej bazy",
            )
        ]


def test_every_ticket_row_is_checked_after_one_without_events():
    verifier = ticket_one().verify()
    orphan = TicketFacts(2, "1462011", "jan", None, "new", False, "normal", None, None, 1)
    verifier.check_tickets([orphan, replace(FACTS, office="1465011")])
    assert [p.reason for p in verifier.problems] == [
        "wiersz zgłoszenia bez żadnego zdarzenia w dzienniku",
        "kolumna office wiersza zgłoszenia ma wartość '1465011', a ze zdarzeń wynika '1462011'",
    ]


def test_a_last_event_without_hash_leaves_an_empty_head():
    log = Log()
    log.add("T-000001", 1, 0, "created", office="1462011")
    log.records[0] = {k: v for k, v in log.records[0].items() if k != "hash"}
    verifier = log.verify()
    verifier.check_head("a" * 64, 1)
    assert verifier.head == ""
    assert verifier.problems[-1].reason == (
        f"obliczony skrót ostatniego zdarzenia  różni się od zapisanego w bazie {'a' * 64} (zmieniono ostatnie zdarzenia)"
    )
