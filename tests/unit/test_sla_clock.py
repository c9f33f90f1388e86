"""The SLA clock function: starts, stops, pauses, reopen, priority change, penalties."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.adapters.files.contracts import holiday_provider
from helpdesk.domain.contracts import Contract, build_contract
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.sla import ClockEvent, TicketSla, compute_sla, contractual_due, next_deadline

WAW = ZoneInfo("Europe/Warsaw")
MIN = 60
H = 3600

CONTRACT = build_contract(
    {
        "id": "u1",
        "contractor": "w1",
        "components": ["EZD"],
        "period": {"start": "2026-01-01", "end": "2027-12-31"},
        "calendars": {
            "biuro": {
                "timezone": "Europe/Warsaw",
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "hours": ["08:00", "16:00"],
                "holidays": "PL",
            },
            "stale": {
                "timezone": "Europe/Warsaw",
                "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "hours": ["00:00", "24:00"],
                "holidays": "none",
            },
        },
        "priorities": {
            "critical": {
                "calendar": "stale",
                "targets": {"reaction": "1h", "workaround": "8h", "fix": "2d"},
                "penalties": {"fix": {"per": "1h", "pln": 1000, "cap_pln": 5000}},
            },
            "high": {
                "calendar": "biuro",
                "targets": {"reaction": "4h", "workaround": "1d", "fix": "3d"},
                "penalties": {
                    "reaction": {"per": "30m", "pln": 50.5, "cap_pln": 1000},
                    "fix": {"per": "1d", "pln": 800, "cap_pln": 1600},
                },
            },
            "normal": {"calendar": "biuro", "targets": {"reaction": "1d", "workaround": "5d", "fix": "20d"}},
        },
    },
    holiday_provider,
)
CONTRACTS: dict[str, Contract] = {"u1": CONTRACT}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def ev(
    when: str, seq: int, type_: str, priority: str | None = None, contract: str | None = None
) -> ClockEvent:
    if type_ == "escalated":
        contract = contract or "u1"
    return ClockEvent(at(when), seq, type_, contract, priority)


def sla(events: list[ClockEvent], as_of: str) -> TicketSla:
    result = compute_sla(events, CONTRACTS, at(as_of))
    assert result is not None
    return result


def minutes(result: TicketSla) -> dict[str, float]:
    return {name: m.elapsed / MIN for name, m in result.metrics.items()}


def states(result: TicketSla) -> dict[str, str]:
    return {name: m.state for name, m in result.metrics.items()}


def test_a_ticket_never_escalated_has_no_sla() -> None:
    assert compute_sla([ev("2026-03-02 09:00", 1, "created")], CONTRACTS, at("2026-03-03 09:00")) is None


def test_a_ticket_escalated_after_as_of_has_no_sla_yet() -> None:
    events = [ev("2026-03-02 09:00", 1, "escalated", "normal")]
    assert compute_sla(events, CONTRACTS, at("2026-03-02 08:59")) is None


def test_clocks_stop_at_their_events() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 10:00", 2, "acknowledged"),
            ev("2026-03-02 12:00", 3, "workaround"),
            ev("2026-03-03 09:00", 4, "resolved"),
        ],
        "2026-04-01 12:00",
    )
    assert minutes(result) == {"reaction": 60, "workaround": 180, "fix": 480}
    assert states(result) == {"reaction": "met", "workaround": "met", "fix": "met"}
    assert all(m.due_at is None for m in result.metrics.values())


def test_resolved_stops_all_three_clocks() -> None:
    result = sla(
        [ev("2026-03-02 09:00", 1, "escalated", "normal"), ev("2026-03-02 11:00", 2, "resolved")],
        "2026-03-10 12:00",
    )
    assert minutes(result) == {"reaction": 120, "workaround": 120, "fix": 120}


def test_running_clocks_count_up_to_as_of_and_know_when_they_breach() -> None:
    result = sla([ev("2026-03-02 09:00", 1, "escalated", "high")], "2026-03-02 11:00")
    assert minutes(result) == {"reaction": 120, "workaround": 120, "fix": 120}
    assert states(result) == {"reaction": "running", "workaround": "running", "fix": "running"}
    assert result.metrics["reaction"].due_at == at("2026-03-02 13:00")
    assert result.metrics["workaround"].due_at == at("2026-03-03 09:00")
    assert result.metrics["fix"].due_at == at("2026-03-05 09:00")


def test_events_after_as_of_are_ignored() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 12:00", 2, "acknowledged"),
        ],
        "2026-03-02 10:30",
    )
    assert minutes(result)["reaction"] == 90
    assert result.metrics["reaction"].state == "running"


def test_only_the_first_escalation_starts_the_clocks() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 10:00", 2, "escalated", "critical"),
            ev("2026-03-02 11:00", 3, "acknowledged"),
        ],
        "2026-03-02 11:00",
    )
    assert result.priority == "normal"
    assert minutes(result)["reaction"] == 120


def test_events_are_taken_by_time_then_seq_whatever_their_order() -> None:
    result = sla(
        [
            ev("2026-03-02 12:00", 5, "reopened"),
            ev("2026-03-02 13:00", 6, "resolved"),
            ev("2026-03-02 12:00", 4, "resolved"),
            ev("2026-03-02 09:00", 2, "escalated", "normal"),
        ],
        "2026-03-05 12:00",
    )
    assert minutes(result) == {"reaction": 180, "workaround": 180, "fix": 240}


def test_a_pause_inside_working_hours_stops_every_clock() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 10:00", 2, "paused"),
            ev("2026-03-02 13:00", 3, "resumed"),
            ev("2026-03-02 14:00", 4, "resolved"),
        ],
        "2026-03-05 12:00",
    )
    assert minutes(result) == {"reaction": 120, "workaround": 120, "fix": 120}


def test_a_pause_outside_working_hours_changes_nothing() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 17:00", 2, "paused"),
            ev("2026-03-03 07:00", 3, "resumed"),
            ev("2026-03-03 09:00", 4, "resolved"),
        ],
        "2026-03-05 12:00",
    )
    assert minutes(result)["fix"] == 8 * 60


def test_a_paused_ticket_has_no_due_time_and_does_not_count_to_as_of() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 10:00", 2, "paused"),
        ],
        "2026-03-20 10:00",
    )
    assert minutes(result)["fix"] == 60
    assert result.metrics["fix"].state == "running"
    assert result.metrics["fix"].due_at is None
    assert next_deadline(result, 0.8) is None


def test_reopen_restarts_fix_only_adding_to_its_time() -> None:
    result = sla(
        [
            ev("2026-03-02 09:00", 1, "escalated", "normal"),
            ev("2026-03-02 10:00", 2, "resolved"),
            ev("2026-03-03 09:00", 3, "reopened"),
            ev("2026-03-03 11:00", 4, "resolved"),
            ev("2026-03-04 09:00", 5, "reopened"),
        ],
        "2026-03-04 10:00",
    )
    assert minutes(result) == {"reaction": 60, "workaround": 60, "fix": 60 + 120 + 60}
    assert states(result) == {"reaction": "met", "workaround": "met", "fix": "running"}


def test_priority_change_switches_calendar_and_targets_keeping_the_time() -> None:
    result = sla(
        [
            ev("2026-03-06 14:00", 1, "escalated", "normal"),  # Friday
            ev("2026-03-06 16:00", 2, "priority_changed", "critical"),
            ev("2026-03-07 10:00", 3, "resolved"),  # Saturday: counts 24/7 now
        ],
        "2026-03-10 00:00",
    )
    assert result.priority == "critical"
    assert minutes(result) == {"reaction": 20 * 60, "workaround": 20 * 60, "fix": 20 * 60}
    assert states(result) == {"reaction": "breached", "workaround": "breached", "fix": "met"}
    assert result.metrics["reaction"].target == H


def test_penalty_is_charged_per_started_period_and_capped() -> None:
    result = sla(
        [
            ev("2026-03-02 00:00", 1, "escalated", "critical"),
            ev("2026-03-02 00:10", 2, "workaround"),
            ev("2026-03-04 02:30", 3, "resolved"),  # 50.5 h: 2.5 h late -> 3 started hours
        ],
        "2026-03-10 00:00",
    )
    assert result.metrics["fix"].penalty_pln == 3000
    assert result.penalty_pln == 3000
    capped = sla(
        [
            ev("2026-03-02 00:00", 1, "escalated", "critical"),
            ev("2026-03-04 20:00", 2, "resolved"),
        ],
        "2026-03-10 00:00",
    )
    assert capped.penalty_pln == 5000


def test_penalties_of_several_clocks_add_up_and_keep_grosze() -> None:
    result = sla([ev("2026-03-02 08:00", 1, "escalated", "high")], "2026-03-11 08:00")
    # reaction: 7 days x 8 h = 56 h elapsed, 52 h late -> 104 half-hours x 50.5 = 5252 -> cap 1000
    # fix: 56 h vs 24 h -> 32 h late = 4 working days -> 3200 -> cap 1600
    assert result.metrics["reaction"].penalty_pln == 1000
    assert result.metrics["fix"].penalty_pln == 1600
    assert result.penalty_pln == 2600
    small = sla([ev("2026-03-02 08:00", 1, "escalated", "high")], "2026-03-02 12:01")
    assert small.metrics["reaction"].penalty_pln == 50.5
    assert small.to_json("T-1")["penalty_pln"] == 50.5


def test_exactly_on_target_is_met_not_breached() -> None:
    result = sla(
        [ev("2026-03-02 09:00", 1, "escalated", "high"), ev("2026-03-02 13:00", 2, "acknowledged")],
        "2026-03-02 14:00",
    )
    assert result.metrics["reaction"].state == "met"
    assert result.metrics["reaction"].penalty_pln == 0


def test_escalation_outside_the_period_is_out_of_contract() -> None:
    result = sla([ev("2028-01-03 09:00", 1, "escalated", "normal")], "2028-02-01 00:00")
    assert result.out_of_contract
    assert result.metrics == {}
    assert result.to_json("T-9") == {
        "ticket": "T-9",
        "contract": "u1",
        "contract_version": "u1",
        "priority": "normal",
        "out_of_contract": True,
        "metrics": {},
        "penalty_pln": 0,
    }


def test_the_period_date_is_taken_in_the_calendar_time_zone() -> None:
    late_utc = datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on 1 Jan in Warsaw
    result = compute_sla(
        [ClockEvent(late_utc, 1, "escalated", "u1", "critical")], CONTRACTS, late_utc + timedelta(hours=1)
    )
    assert result is not None and not result.out_of_contract
    assert result.metrics["reaction"].elapsed == H


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([ClockEvent(at("2026-03-02 09:00"), 1, "escalated", "nie-ma", "normal")], "nieznana umowa 'nie-ma'"),
        ([ClockEvent(at("2026-03-02 09:00"), 1, "escalated", "u1", "low")], "nieznany priorytet 'low'"),
        (
            [
                ClockEvent(at("2026-03-02 09:00"), 1, "escalated", "u1", "normal"),
                ClockEvent(at("2026-03-02 10:00"), 2, "priority_changed", None, "low", line=7),
            ],
            "linia 7: nieznany priorytet 'low'",
        ),
    ],
)
def test_unknown_contract_or_priority_is_invalid_input(events: list[ClockEvent], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        compute_sla(events, CONTRACTS, at("2026-03-03 00:00"))


def test_json_has_the_spec_keys_in_order_with_minutes_rounded() -> None:
    result = compute_sla(
        [ev("2026-03-02 09:00", 1, "escalated", "normal")],
        CONTRACTS,
        at("2026-03-02 09:00") + timedelta(seconds=100),
    )
    assert result is not None
    data = result.to_json("T-000042")
    assert list(data) == [
        "ticket",
        "contract",
        "contract_version",
        "priority",
        "out_of_contract",
        "metrics",
        "penalty_pln",
    ]
    assert list(data["metrics"]) == ["reaction", "workaround", "fix"]
    assert data["metrics"]["reaction"] == {"elapsed_min": 1.67, "target_min": 480.0, "state": "running"}
    assert data["penalty_pln"] == 0 and isinstance(data["penalty_pln"], int)


def test_warning_time_is_a_share_of_the_target_in_working_time() -> None:
    result = sla([ev("2026-03-06 14:00", 1, "escalated", "high")], "2026-03-06 14:00")  # Friday
    # 80 % of the 4 h reaction target = 3 h 12 min: 2 h on Friday, 1 h 12 min on Monday.
    assert result.metrics["reaction"].warn_at(0.8) == at("2026-03-09 09:12")
    assert next_deadline(result, 0.8) == at("2026-03-09 09:12")


def test_next_deadline_moves_to_the_breach_after_the_warning_time() -> None:
    result = sla([ev("2026-03-06 14:00", 1, "escalated", "high")], "2026-03-09 09:30")
    assert result.metrics["reaction"].warn_at(0.8) is None
    assert next_deadline(result, 0.8) == at("2026-03-09 10:00")


def test_a_finished_ticket_has_no_next_deadline() -> None:
    result = sla(
        [ev("2026-03-02 09:00", 1, "escalated", "normal"), ev("2026-03-02 10:00", 2, "resolved")],
        "2026-03-03 00:00",
    )
    assert next_deadline(result, 0.8) is None
    assert next_deadline(None, 0.8) is None


def test_a_long_running_ticket_is_computed_without_walking_the_days() -> None:
    # Five years of an open ticket: the calendar answers by bisecting, not by iterating.
    result = sla([ev("2026-01-02 09:00", 1, "escalated", "normal")], "2027-12-31 16:00")
    assert result.metrics["fix"].state == "breached"
    assert result.metrics["fix"].elapsed == CONTRACT.calendars["biuro"].working_seconds(
        at("2026-01-02 09:00"), at("2027-12-31 16:00")
    )


def test_a_pause_from_before_the_escalation_holds_until_resumed() -> None:
    result = sla(
        [
            ev("2026-03-02 08:00", 1, "paused"),
            ev("2026-03-02 09:00", 2, "escalated", "normal"),
            ev("2026-03-02 11:00", 3, "resumed"),
            ev("2026-03-02 12:00", 4, "resolved"),
        ],
        "2026-03-03 00:00",
    )
    assert minutes(result)["fix"] == 60


def test_clock_events_are_plain_immutable_values() -> None:
    event = ClockEvent(at("2026-03-02 09:00"), 1, "escalated", "u1", "normal")
    assert event.line == 0
    with pytest.raises(AttributeError):
        event.seq = 2  # type: ignore[misc]


def test_the_deadline_shown_is_the_first_running_clocks_breach_instant() -> None:
    """`contractual_due`: what a queue shows — not the warning instant the sweep looks at first."""
    escalated = ev("2026-03-02 09:00", 1, "escalated", "high")  # 4 h, 1 d, 3 d in 08–16 on workdays
    assert contractual_due(sla([escalated], "2026-03-02 11:00")) == at("2026-03-02 13:00")  # reaction
    assert next_deadline(sla([escalated], "2026-03-02 11:00"), 0.8) == at("2026-03-02 12:12")  # its warning
    acknowledged = [escalated, ev("2026-03-02 10:00", 2, "acknowledged")]
    assert contractual_due(sla(acknowledged, "2026-03-02 11:00")) == at("2026-03-03 09:00")  # workaround
    late = sla([escalated], "2026-03-02 14:00")  # reaction breached: the next one still runs
    assert contractual_due(late) == at("2026-03-03 09:00")
    paused = [escalated, ev("2026-03-02 10:00", 2, "paused")]
    assert contractual_due(sla(paused, "2026-03-02 11:00")) is None  # a paused ticket has no deadline
    resolved = [escalated, ev("2026-03-02 10:00", 2, "resolved")]
    assert contractual_due(sla(resolved, "2026-03-02 11:00")) is None
    assert contractual_due(None) is None
    outside = compute_sla(
        [ev("2028-03-01 09:00", 1, "escalated", "high")], CONTRACTS, at("2028-03-01 10:00")
    )  # after the contract's period
    assert outside is not None and outside.out_of_contract and contractual_due(outside) is None
