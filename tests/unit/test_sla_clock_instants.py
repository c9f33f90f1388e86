"""The SLA clocks' instants and sums, worked out by hand from the contract rules (README "SLA over the
life of a contract"): when each clock passed its target (`breached_at`, what the total cap orders penalties
by), how long the ticket waited for the office after the escalation (`waited`), how a priority
change moves or clears a breach instant, the successor contract taking over an open ticket at the
end of its predecessor, and the latest priority of a ticket escalated outside the contract's period.

Calendar `biuro`: Monday–Friday 08:00–16:00 Europe/Warsaw with Polish holidays (March 2026 has
none); `stale`: every day 00:00–24:00. Priority `high`: reaction 4 h, workaround 1 d (8 h), fix
3 d (24 h) in `biuro`; `critical`: 1 h, 8 h, 2 d (48 h) in `stale`; `normal`: 1 d, 5 d, 20 d in
`biuro`. 2 March 2026 is a Monday.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk.adapters.files.contracts import holiday_provider
from helpdesk.domain.contracts import Contract, build_contract
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.sla import ClockEvent, TicketSla, compute_sla, successor_of
from tests.unit.test_sla_clock import CONTRACT, CONTRACTS

WAW = ZoneInfo("Europe/Warsaw")
H = 3600


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def ts(text: str) -> float:
    return at(text).timestamp()


def ev(when: str, seq: int, type_: str, priority: str | None = None, contract: str = "u1") -> ClockEvent:
    return ClockEvent(at(when), seq, type_, contract if type_ == "escalated" else None, priority)


def sla(events: list[ClockEvent], as_of: str, contracts: dict[str, Contract] = CONTRACTS) -> TicketSla:
    result = compute_sla(events, contracts, at(as_of))
    assert result is not None
    return result


def hours(result: TicketSla) -> dict[str, float]:
    return {name: m.elapsed / H for name, m in result.metrics.items()}


def breaches(result: TicketSla) -> dict[str, float | None]:
    return {name: m.breached_at for name, m in result.metrics.items()}


# --- when each clock passed its target -----------------------------------------------------------


def test_each_clock_keeps_the_instant_it_passed_its_target_with_a_pause_pushing_it_later() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "high"),
            ev("2026-03-02 10:00", 2, "paused"),
            ev("2026-03-02 11:00", 3, "resumed"),
            ev("2026-03-03 09:00", 4, "acknowledged"),
            ev("2026-03-04 12:00", 5, "workaround"),
            ev("2026-03-06 15:00", 6, "resolved"),
        ],
        "2026-03-09 12:00",
    )
    # reaction: 09–10 (1 h), paused 10–11, then Mon 11–16 (5 h) and Tue 08–09 (1 h) = 7 h;
    # 4 h reached at Mon 11:00 + 3 h = 14:00.
    # workaround: 7 h by Tue 09:00, then Tue 09–16 (7 h) and Wed 08–12 (4 h) = 18 h; 8 h at Tue 10:00.
    # fix: 18 h by Wed 12:00, then Wed 12–16, Thu, Fri 08–15 (19 h) = 37 h; 24 h at Thu 10:00.
    assert hours(result) == {"reaction": 7, "workaround": 18, "fix": 37}
    assert breaches(result) == {
        "reaction": ts("2026-03-02 14:00"),
        "workaround": ts("2026-03-03 10:00"),
        "fix": ts("2026-03-05 10:00"),
    }
    assert result.waited == 1 * H
    # reaction 3 h late: 6 started half-hours x 50.50 zł; fix 13 h late: 2 started days x 800 zł.
    assert {name: m.penalty_pln for name, m in result.metrics.items()} == {
        "reaction": 303.0,
        "workaround": 0,
        "fix": 1600,
    }
    assert result.penalty_pln == 1903.0
    for metric in result.metrics.values():
        assert (metric.state, metric.running, metric.paused, metric.due_at) == (
            "breached",
            False,
            False,
            None,
        )


def test_clocks_still_running_at_as_of_get_their_breach_instant_and_the_others_their_due_time() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "high"),
            ev("2026-03-02 10:00", 2, "paused"),
            ev("2026-03-02 11:00", 3, "resumed"),
        ],
        "2026-03-03 12:00",
    )
    # 1 h, paused 10–11, then Mon 11–16 (5 h) and Tue 08–12 (4 h): 10 h on every clock.
    assert hours(result) == {"reaction": 10, "workaround": 10, "fix": 10}
    assert breaches(result) == {
        "reaction": ts("2026-03-02 14:00"),  # 3 h after 11:00
        "workaround": ts("2026-03-03 10:00"),  # 7 h after 11:00: 5 h on Monday, 2 h on Tuesday
        "fix": None,
    }
    assert [m.state for m in result.metrics.values()] == ["breached", "breached", "running"]
    fix = result.metrics["fix"]
    assert (fix.running, fix.paused) == (True, False)
    # 14 h left: Tue 12–16 (4 h), Wed (8 h), Thu 08–10 (2 h).
    assert fix.due_at == at("2026-03-05 10:00")
    # 80 % of 24 h = 19.2 h: 9 h 12 min left: Tue 4 h, Wed 08:00 + 5 h 12 min.
    assert fix.warn_at(0.8) == at("2026-03-04 13:12")
    assert result.metrics["reaction"].due_at is None
    assert result.waited == 1 * H


def test_a_ticket_paused_at_as_of_waits_and_its_clocks_do_not_count() -> None:
    result = sla(
        [ev("2026-03-02 09:00", 1, "escalated", "high"), ev("2026-03-02 10:00", 2, "paused")],
        "2026-03-03 12:00",
    )
    assert hours(result) == {"reaction": 1, "workaround": 1, "fix": 1}
    assert result.waited == (6 + 4) * H  # Mon 10–16 and Tue 08–12
    for metric in result.metrics.values():
        assert (metric.running, metric.paused, metric.due_at, metric.state) == (True, True, None, "running")
        assert metric.warn_at(0.8) is None


def test_time_paused_after_the_ticket_was_resolved_is_not_waiting() -> None:
    events = [
        ev("2026-03-02 09:00", 1, "escalated", "high"),
        ev("2026-03-02 10:00", 2, "resolved"),
        ev("2026-03-02 11:00", 3, "paused"),
        ev("2026-03-02 13:00", 4, "resumed"),
    ]
    assert sla(events, "2026-03-02 15:00").waited == 0
    assert sla(events[:3], "2026-03-02 15:00").waited == 0  # still paused at as_of


def test_a_pause_from_before_the_escalation_counts_as_waiting_only_from_the_escalation() -> None:
    result = sla(
        [
            ev("2026-03-02 08:00", 1, "paused"),
            ev("2026-03-02 09:00", 2, "escalated", "high"),
            ev("2026-03-02 11:00", 3, "resumed"),
        ],
        "2026-03-02 12:00",
    )
    assert result.waited == 2 * H
    assert hours(result) == {"reaction": 1, "workaround": 1, "fix": 1}


def test_a_pause_resumed_before_the_escalation_leaves_the_clocks_running() -> None:
    result = sla(
        [
            ev("2026-03-02 08:00", 1, "paused"),
            ev("2026-03-02 08:30", 2, "resumed"),
            ev("2026-03-02 09:00", 3, "escalated", "high"),
        ],
        "2026-03-02 12:00",
    )
    assert hours(result) == {"reaction": 3, "workaround": 3, "fix": 3}
    assert result.waited == 0
    assert result.metrics["reaction"].paused is False
    assert result.metrics["reaction"].due_at == at("2026-03-02 13:00")


# --- a priority change moves the breach instants ----------------------------------------------


def test_a_stricter_priority_makes_a_clock_already_past_it_breach_at_the_change() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 15:00", 2, "priority_changed", "high"),
        ],
        "2026-03-02 16:00",
    )
    # 6 h under normal (reaction 8 h: not late); high's reaction is 4 h: breached at the change.
    assert breaches(result) == {"reaction": ts("2026-03-02 15:00"), "workaround": None, "fix": None}
    assert [m.state for m in result.metrics.values()] == ["breached", "running", "running"]
    assert result.metrics["workaround"].due_at == at("2026-03-03 09:00")  # 1 h of 8 h left


def test_a_clock_breached_before_a_change_keeps_its_instant_when_still_late() -> None:
    result = sla(
        [
            ev("2026-03-02 00:00", 1, "escalated", "critical"),  # 24/7: reaction 1 h, workaround 8 h
            ev("2026-03-02 09:00", 2, "priority_changed", "high"),
        ],
        "2026-03-02 12:00",
    )
    # 9 h in `stale` by 09:00, then 3 h in `biuro`: 12 h on every clock.
    assert hours(result) == {"reaction": 12, "workaround": 12, "fix": 12}
    assert breaches(result) == {
        "reaction": ts("2026-03-02 01:00"),
        "workaround": ts("2026-03-02 08:00"),
        "fix": None,
    }
    assert result.calendar == "biuro"
    assert result.metrics["fix"].due_at == at("2026-03-03 16:00")  # 12 h of 24 h left in `biuro`
    assert result.penalty_pln == 808.0  # reaction 8 h late under high: 16 half-hours x 50.50 zł


def test_a_looser_priority_clears_a_breach_and_the_clock_breaches_again_under_it() -> None:
    result = sla(
        [
            ev("2026-03-02 00:00", 1, "escalated", "critical"),
            ev("2026-03-02 02:00", 2, "priority_changed", "normal"),
        ],
        "2026-03-02 15:00",
    )
    # 2 h in `stale` (reaction 1 h passed at 01:00), then normal: 8 h in `biuro`, not late at 02:00;
    # from 08:00 in `biuro` the 6 h left run out at 14:00.
    assert hours(result)["reaction"] == 9
    assert breaches(result)["reaction"] == ts("2026-03-02 14:00")
    assert result.priority == "normal"
    assert result.metrics["reaction"].target == 8 * H


# --- what the ticket carries ----------------------------------------------------------------------


def test_the_result_names_the_escalation_the_office_the_calendar_and_as_of() -> None:
    first = ClockEvent(at("2026-03-02 09:00"), 1, "escalated", "u1", "critical", office="1462011")
    result = sla([first], "2026-03-02 09:30")
    assert (result.contract, result.version, result.priority) == ("u1", "u1", "critical")
    assert (result.escalated_at, result.as_of) == (at("2026-03-02 09:00"), at("2026-03-02 09:30"))
    assert (result.office, result.calendar, result.handed_over_from) == ("1462011", "stale", None)
    assert result.out_of_contract is False
    reaction = result.metrics["reaction"]
    assert (reaction.name, reaction.target, reaction.calendar, reaction.as_of) == (
        "reaction",
        H,
        CONTRACT.calendars["stale"],
        at("2026-03-02 09:30"),
    )
    assert reaction.due_at == at("2026-03-02 10:00")


def test_outside_the_period_the_reported_priority_is_the_last_change_by_as_of() -> None:
    events = [
        ClockEvent(at("2028-01-03 09:00"), 1, "escalated", "u1", "normal", office="1462011"),
        ev("2028-01-03 10:00", 2, "priority_changed", "critical"),
        ev("2028-01-03 11:00", 3, "acknowledged"),
        ev("2028-01-05 10:00", 4, "priority_changed", "high"),
    ]
    result = sla(events, "2028-01-04 00:00")
    assert (result.out_of_contract, result.priority, result.metrics, result.penalty_pln) == (
        True,
        "critical",
        {},
        0,
    )
    assert (result.escalated_at, result.as_of, result.office) == (
        at("2028-01-03 09:00"),
        at("2028-01-04 00:00"),
        "1462011",
    )
    assert sla(events, "2028-01-06 00:00").priority == "high"
    assert sla(events, "2028-01-05 10:00").priority == "high"  # a change at as_of has happened by then
    assert result.version == "u1"  # the contract's own text: there is no annex
    bad = [*events[:2], ClockEvent(at("2028-01-03 12:00"), 5, "priority_changed", None, "pilny", line=3)]
    with pytest.raises(InvalidInput) as caught:
        compute_sla(bad, CONTRACTS, at("2028-01-04 00:00"))
    assert str(caught.value) == "linia 3: nieznany priorytet 'pilny' w umowie 'u1'"


def test_an_escalation_without_a_priority_or_contract_is_refused_naming_the_event() -> None:
    with pytest.raises(InvalidInput) as caught:
        compute_sla([ev("2026-03-02 09:00", 1, "escalated", None)], CONTRACTS, at("2026-03-02 10:00"))
    assert str(caught.value) == "zdarzenie escalated (2026-03-02T09:00:00+01:00): brak priorytetu"
    nameless = ClockEvent(at("2026-03-02 09:00"), 1, "escalated", None, "high", line=12)
    with pytest.raises(InvalidInput) as caught:
        compute_sla([nameless], CONTRACTS, at("2026-03-02 10:00"))
    assert str(caught.value) == "linia 12: nieznana umowa 'None'"


# --- the successor takes over open tickets ------------------------------------------------------

BIURO = {
    "timezone": "Europe/Warsaw",
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "hours": ["08:00", "16:00"],
    "holidays": "PL",
}


def contract(id_: str, start: str, end: str, reaction: str, **extra: Any) -> Contract:
    return build_contract(
        {
            "id": id_,
            "contractor": "w1",
            "components": ["EZD"],
            "period": {"start": start, "end": end},
            "calendars": {"biuro": BIURO},
            "priorities": {
                "normal": {
                    "calendar": "biuro",
                    "targets": {"reaction": reaction, "workaround": "5d", "fix": "20d"},
                }
            },
            **extra,
        },
        holiday_provider,
    )


OLD = contract("stara", "2026-01-01", "2026-12-31", "1d")
NEW = contract("nowa", "2027-01-01", "2027-12-31", "4h", takes_over=["stara"])
BOTH = {"stara": OLD, "nowa": NEW}
# Wednesday 30 December 2026; 1 January 2027 (Friday) is a holiday; Monday 4 January.
OPEN = [ClockEvent(at("2026-12-30 09:00"), 1, "escalated", "stara", "normal")]


def test_the_successor_measures_a_ticket_still_open_when_the_contract_ends() -> None:
    result = sla(OPEN, "2027-01-04 10:00", BOTH)
    assert (result.contract, result.version, result.handed_over_from) == ("nowa", "nowa", "stara")
    # Wed 09–16 (7 h), Thu 31 Dec (8 h), Mon 08–10 (2 h).
    assert hours(result)["reaction"] == 17
    assert result.metrics["reaction"].target == 4 * H
    # Under the old contract's 8 h the reaction passed its target on Thursday at 09:00, and stays so.
    assert result.metrics["reaction"].breached_at == ts("2026-12-31 09:00")
    assert result.escalated_at == at("2026-12-30 09:00")


def test_from_the_first_instant_after_the_end_and_not_before() -> None:
    assert sla(OPEN, "2027-01-01 00:00", BOTH).contract == "nowa"
    before = sla(OPEN, "2026-12-31 23:59", BOTH)
    assert (before.contract, before.handed_over_from) == ("stara", None)
    assert before.metrics["reaction"].target == 8 * H


def test_a_ticket_resolved_by_the_end_stays_with_its_contractor() -> None:
    resolved = [*OPEN, ClockEvent(at("2026-12-31 12:00"), 2, "resolved")]
    result = sla(resolved, "2027-01-04 10:00", BOTH)
    assert (result.contract, result.handed_over_from) == ("stara", None)
    assert hours(result) == {"reaction": 11, "workaround": 11, "fix": 11}
    # 11 h against the old contract's 8 h reaction: late since Thursday 09:00, by its own terms.
    assert (result.metrics["reaction"].target, result.metrics["reaction"].state) == (8 * H, "breached")
    assert result.metrics["reaction"].breached_at == ts("2026-12-31 09:00")


def test_no_takeover_by_a_successor_whose_period_does_not_start_the_day_after() -> None:
    late = contract("nowa", "2027-01-02", "2027-12-31", "4h", takes_over=["stara"])
    result = sla(OPEN, "2027-01-04 10:00", {"stara": OLD, "nowa": late})
    assert (result.contract, result.handed_over_from) == ("stara", None)


def test_the_successor_is_the_first_by_id_of_those_naming_the_contract_never_itself() -> None:
    other = contract("inna", "2027-01-01", "2027-12-31", "2h", takes_over=["stara"])
    later = contract("zz-nowa", "2027-01-01", "2027-12-31", "2h", takes_over=["stara"])
    unrelated = contract("obca", "2027-01-01", "2027-12-31", "2h", takes_over=["jeszcze-inna"])
    selfish = contract("stara", "2026-01-01", "2026-12-31", "1d", takes_over=["stara"])
    pool = {"zz-nowa": later, "nowa": NEW, "inna": other, "obca": unrelated}
    assert successor_of(pool, OLD) is other
    assert successor_of({"zz-nowa": later, "nowa": NEW}, OLD) is NEW
    assert successor_of({"obca": unrelated}, OLD) is None
    assert successor_of({"stara": selfish}, selfish) is None


def test_after_the_takeover_the_successors_target_decides_when_the_clock_breached() -> None:
    # Thursday 31 December 13:00: 3 h by the end of the year, under 8 h (old) and 4 h (new) alike.
    events = [
        ClockEvent(at("2026-12-31 13:00"), 1, "escalated", "stara", "normal"),
        ClockEvent(at("2027-01-04 10:00"), 2, "acknowledged"),
    ]
    result = sla(events, "2027-01-05 12:00", BOTH)
    # Monday 08–10 adds 2 h: 5 h against the new 4 h, passed at Monday 09:00 — not at the takeover.
    assert hours(result)["reaction"] == 5
    assert result.metrics["reaction"].breached_at == ts("2027-01-04 09:00")
    assert result.handed_over_from == "stara"


# --- the office's own calendar ---------------------------------------------------------------------


def test_a_priority_counting_in_the_office_calendar_uses_the_office_file_when_there_is_one() -> None:
    from helpdesk.domain.calendar import BusinessCalendar
    from helpdesk.domain.office_terms import OfficeBook, OfficeTerms

    own = contract("u-urzedy", "2026-01-01", "2026-12-31", "4h")
    terms = own.priorities["normal"]
    office_counted = Contract(
        **{
            **own.__dict__,
            "priorities": {"normal": type(terms)(**{**terms.__dict__, "office_calendar": True})},
        }
    )
    contracts = {"u-urzedy": office_counted}
    early = BusinessCalendar("Europe/Warsaw", frozenset(range(5)), 7 * 60, 15 * 60, name="plock")
    book = OfficeBook({"1462011": OfficeTerms("1462011", early, {})}, None)

    def counted(office: str | None, offices: OfficeBook | None) -> TicketSla:
        first = ClockEvent(at("2026-03-02 06:00"), 1, "escalated", "u-urzedy", "normal", office=office)
        result = compute_sla([first], contracts, at("2026-03-02 10:00"), offices)
        assert result is not None
        return result

    in_office = counted("1462011", book)  # 07:00–15:00: 3 h by 10:00
    assert (in_office.calendar, in_office.metrics["reaction"].elapsed) == ("plock", 3 * H)
    assert in_office.metrics["reaction"].due_at == at("2026-03-02 11:00")
    for office, offices in (("1465011", book), ("1462011", None)):  # no own file; no book at all
        other = counted(office, offices)
        assert (other.calendar, other.metrics["reaction"].elapsed) == ("biuro", 2 * H)
    # A priority that does not say `office_calendar: true` counts in its own calendar, office file or not.
    first = ClockEvent(at("2026-03-02 06:00"), 1, "escalated", "u-urzedy", "normal", office="1462011")
    plain = compute_sla([first], {"u-urzedy": own}, at("2026-03-02 10:00"), book)
    assert plain is not None and plain.calendar == "biuro"


def test_the_successor_measures_under_its_text_in_force_on_the_day_it_takes_over() -> None:
    annex = {
        "id": "nowa-aneks-1",
        "effective": "2027-01-01",
        "priorities": {
            "normal": {"calendar": "biuro", "targets": {"reaction": "2h", "workaround": "5d", "fix": "20d"}}
        },
    }
    amended = contract("nowa", "2027-01-01", "2027-12-31", "4h", takes_over=["stara"], amendments=[annex])
    result = sla(OPEN, "2027-01-04 10:00", {"stara": OLD, "nowa": amended})
    assert (result.contract, result.version, result.handed_over_from) == ("nowa", "nowa-aneks-1", "stara")
    assert result.metrics["reaction"].target == 2 * H


# --- order of events, repeated pauses, a naive as_of ---------------------------------------------


def test_events_are_folded_in_time_order_whatever_their_numbers() -> None:
    # An acknowledgement numbered before the escalation but made after it (numbers only break ties).
    result = sla(
        [
            ClockEvent(at("2026-03-02 09:00"), 7, "escalated", "u1", "high"),
            ClockEvent(at("2026-03-02 10:00"), 3, "acknowledged"),
        ],
        "2026-03-02 12:00",
    )
    assert hours(result) == {"reaction": 1, "workaround": 3, "fix": 3}


def test_every_pause_after_the_escalation_adds_to_the_waiting_time() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "high"),
            ev("2026-03-02 10:00", 2, "paused"),
            ev("2026-03-02 11:00", 3, "resumed"),
            ev("2026-03-02 13:00", 4, "paused"),
            ev("2026-03-02 13:30", 5, "priority_changed", "normal"),  # still paused across it
            ev("2026-03-02 15:00", 6, "resumed"),
        ],
        "2026-03-02 16:00",
    )
    assert result.waited == 3 * H  # 10–11 and 13–15
    assert hours(result) == {"reaction": 4, "workaround": 4, "fix": 4}  # 09–10, 11–13, 15–16


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        compute_sla([ev("2026-03-02 09:00", 1, "escalated", "high")], CONTRACTS, datetime(2026, 3, 2, 10))
    assert str(caught.value) == "as_of must be timezone-aware"


def test_the_answer_clock_adds_up_every_stretch_until_the_first_reply() -> None:
    from helpdesk.domain.sla import compute_first_line
    from tests.unit.test_first_line_clocks import BOOK, OFFICE, timeline
    from tests.unit.test_first_line_clocks import at as minute

    events = timeline(
        (0, "created", {"office": OFFICE, "priority": "normal"}),
        (20, "assigned", {}),  # take stops; answer runs on
        (50, "priority_changed", {"priority": "normal"}),
        (80, "replied", {}),
    )
    result = compute_first_line(events, BOOK, minute(100).timestamp())
    assert result is not None
    assert {name: m.elapsed / 60 for name, m in result.metrics.items()} == {
        "take": 20,
        "answer": 80,
        "resolve_or_escalate": 100,
    }
    unanswered = compute_first_line(events[:2], BOOK, minute(100).timestamp())  # no reply by as_of
    assert unanswered is not None
    assert [m.elapsed / 60 for m in unanswered.metrics.values()] == [20, 100, 100]


# --- breach instants across changes, stopped clocks, a reopen after the contract's end -----------


def test_a_clock_that_passed_its_target_keeps_that_instant_through_later_events() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "high"),
            ev("2026-03-05 12:00", 2, "acknowledged"),  # fix 24 h reached Thursday 09:00
            ev("2026-03-06 10:00", 3, "workaround"),
        ],
        "2026-03-06 12:00",
    )
    assert result.metrics["fix"].breached_at == ts("2026-03-05 09:00")
    assert hours(result)["fix"] == 7 + 8 + 8 + 8 + 4  # to Friday 12:00


def test_a_stopped_clock_is_not_running() -> None:
    acknowledged = sla(
        [ev("2026-03-02 09:00", 1, "escalated", "high"), ev("2026-03-02 10:00", 2, "acknowledged")],
        "2026-03-02 12:00",
    )
    assert [m.running for m in acknowledged.metrics.values()] == [False, True, True]
    worked_around = sla(
        [ev("2026-03-02 09:00", 1, "escalated", "high"), ev("2026-03-02 10:00", 2, "workaround")],
        "2026-03-02 12:00",
    )
    assert [m.running for m in worked_around.metrics.values()] == [False, False, True]


def test_a_change_to_a_stricter_priority_before_a_clock_is_late_sets_no_instant_of_its_own() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 10:00", 2, "priority_changed", "critical"),  # 1 h in `biuro` by then
        ],
        "2026-03-05 00:00",
    )
    # From 10:00 in `stale`: 62 h to Thursday 00:00, 63 h on each clock. Critical: 1 h, 8 h, 48 h.
    assert hours(result) == {"reaction": 63, "workaround": 63, "fix": 63}
    assert breaches(result) == {
        "reaction": ts("2026-03-02 10:00"),  # exactly on target at the change, past it right after
        "workaround": ts("2026-03-02 17:00"),
        "fix": ts("2026-03-04 09:00"),
    }


def test_a_fix_clock_late_before_a_change_keeps_its_instant_after_it() -> None:
    result = sla(
        [
            ev("2026-03-02 00:00", 1, "escalated", "critical"),  # fix 48 h in `stale`: Wednesday 00:00
            ev("2026-03-04 06:00", 2, "priority_changed", "high"),  # 54 h; high's fix is 24 h
        ],
        "2026-03-04 12:00",
    )
    assert hours(result)["fix"] == 54 + 4  # then 08–12 in `biuro`
    assert result.metrics["fix"].breached_at == ts("2026-03-04 00:00")


def test_a_ticket_resolved_before_the_end_and_reopened_after_it_counts_on_with_its_contractor() -> None:
    events = [
        *OPEN,
        ClockEvent(at("2026-12-31 12:00"), 2, "resolved"),
        ClockEvent(at("2027-01-04 09:00"), 3, "reopened"),
    ]
    result = sla(events, "2027-01-04 11:00", BOTH)
    assert (result.contract, result.handed_over_from) == ("stara", None)
    assert hours(result) == {"reaction": 11, "workaround": 11, "fix": 13}


def test_waiting_at_as_of_adds_to_the_waiting_before() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "high"),
            ev("2026-03-02 10:00", 2, "paused"),
            ev("2026-03-02 11:00", 3, "resumed"),
            ev("2026-03-02 13:00", 4, "paused"),
        ],
        "2026-03-02 15:00",
    )
    assert result.waited == 3 * H


def test_after_a_priority_change_the_clocks_still_count_in_the_office_calendar() -> None:
    from helpdesk.domain.calendar import BusinessCalendar
    from helpdesk.domain.office_terms import OfficeBook, OfficeTerms

    def in_office(targets: dict[str, str]) -> dict[str, Any]:
        return {"calendar": "biuro", "office_calendar": True, "targets": targets}

    both = build_contract(
        {
            "id": "u-urzedy",
            "contractor": "w1",
            "components": ["EZD"],
            "period": {"start": "2026-01-01", "end": "2026-12-31"},
            "calendars": {"biuro": BIURO},
            "priorities": {
                "normal": in_office({"reaction": "1d", "workaround": "5d", "fix": "20d"}),
                "high": in_office({"reaction": "4h", "workaround": "1d", "fix": "3d"}),
            },
        },
        holiday_provider,
    )
    early = BusinessCalendar("Europe/Warsaw", frozenset(range(5)), 7 * 60, 15 * 60, name="plock")
    book = OfficeBook({"1462011": OfficeTerms("1462011", early, {})}, None)
    events = [
        ClockEvent(at("2026-03-02 06:00"), 1, "escalated", "u-urzedy", "normal", office="1462011"),
        ClockEvent(at("2026-03-02 08:00"), 2, "priority_changed", None, "high"),
    ]
    result = compute_sla(events, {"u-urzedy": both}, at("2026-03-02 15:30"), book)
    assert result is not None
    assert (result.priority, result.calendar) == ("high", "plock")
    assert hours(result)["reaction"] == 8  # 07:00–15:00, not 08:00–15:30


# --- the warning instant, what the sweep owes, minutes ---------------------------------------------


def test_the_warning_is_owed_from_its_instant_and_the_breach_is_looked_at_on_the_minute() -> None:
    from helpdesk.domain.sla import due_notices, next_deadline

    escalated = [ev("2026-03-02 09:00", 1, "escalated", "high")]  # reaction 4 h: 80 % at 12:12
    second_before = compute_sla(escalated, CONTRACTS, at("2026-03-02 12:11:59"))
    assert second_before is not None
    assert second_before.metrics["reaction"].warn_at(0.8) == at("2026-03-02 12:12")
    # A second short is taken as reached (the sweep's allowance for float rounding).
    assert due_notices(second_before, 0.8, set()) == [("sla_warning", "reaction")]
    on_time = sla(escalated, "2026-03-02 12:12")
    assert on_time.metrics["reaction"].warn_at(0.8) is None  # not in the future any more
    assert due_notices(on_time, 0.8, set()) == [("sla_warning", "reaction")]
    on_target = sla(escalated, "2026-03-02 13:00")  # exactly 4 h: due now, not yet late
    assert on_target.metrics["reaction"].state == "running"
    assert next_deadline(on_target, 0.8) == at("2026-03-02 13:00")
    assert due_notices(None, 0.8, set()) == []


def test_minutes_of_a_fraction_of_a_second_or_a_negative_span_round_to_hundredths() -> None:
    from helpdesk.domain.sla import minutes

    assert minutes(90.5) == 1.51
    assert minutes(-30) == -0.5
    assert minutes(0) == 0
