"""A seeded synthetic SLA log: office calendar files and a few thousand tickets in log order.

The golden replay test (tests/unit/test_sla_replay_golden.py) replays it to check that a change
made for speed keeps every figure of every ticket. Tickets mix contracts with annexes, a total
cap and a successor, office calendars with their own closed and open days, first-line events,
waiting for the office before and after the escalation, priority changes both ways, workarounds
and reopens; a few are escalated outside any contract's period.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 1, 1, tzinfo=WARSAW)
SPAN_SECONDS = int((datetime(2030, 12, 31, tzinfo=WARSAW) - START).total_seconds())
# Priorities each contract defines (the order weights the choice).
PRIORITIES = {
    "umowa-ezd-2026": ["critical", "high", "normal", "normal", "low"],
    "umowa-esb-2026": ["critical", "high", "normal", "normal"],
    # Only `normal`: the successor B defines no `high`, and a `high` ticket open at A's end
    # cannot be handed over (an error, not a figure).
    "umowa-a-2027": ["normal"],
    "umowa-b-2028": ["normal"],
}
# The one-year contracts; the others run 2026–2030.
PERIODS = {"umowa-a-2027": 2027, "umowa-b-2028": 2028}
CLUSTER = datetime(2028, 6, 5, 9, tzinfo=WARSAW)
OFFICES = [f"14{n:05d}" for n in range(40)]


def write_offices(folder: Path, seed: int = 7) -> None:
    """Calendar files for half of OFFICES: own hours, closed days and a worked Saturday."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for code in OFFICES[:20]:
        start = rng.choice(["07:00", "07:30", "08:00"])
        end = {"07:00": "15:00", "07:30": "15:30", "08:00": "16:00"}[start]
        closed = sorted(
            {f"{y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}" for y in range(2026, 2031)}
        )
        (folder / f"{code}.yaml").write_text(
            f"office: {code}\ncalendar: {{timezone: Europe/Warsaw, days: [mon, tue, wed, thu, fri], "
            f'hours: ["{start}", "{end}"], holidays: PL, closed: [{", ".join(closed)}], '
            "open: [2027-06-12]}\n"
            "first_line:\n  critical: {take: 30m, answer: 1h, resolve_or_escalate: 2h}\n",
            encoding="utf-8",
        )


def _ticket(rng: random.Random, number: int) -> list[tuple[datetime, dict[str, object]]]:
    ticket = f"T-{number:06d}"
    at = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    if rng.random() < 0.05:  # a cluster open around mid-2028, to catch clocks still running
        at = CLUSTER + timedelta(seconds=rng.randrange(10 * 86400))
    contract = rng.choice(list(PRIORITIES))
    if PERIODS.get(contract, at.year) != at.year and rng.random() < 0.9:
        contract = rng.choice(["umowa-ezd-2026", "umowa-esb-2026"])  # mostly within a period
    office = rng.choice(OFFICES)
    priority = rng.choice(PRIORITIES[contract])
    events: list[tuple[str, dict[str, object]]] = [("created", {"office": office, "priority": priority})]
    if rng.random() < 0.2:
        events += [("paused", {}), ("resumed", {})]
    if rng.random() < 0.9:
        events.append(("assigned", {"assignee": "lider"}))
    if rng.random() < 0.5:
        events.append(("replied", {}))
    if rng.random() < 0.05:
        events.append(("resolved", {}))  # the first line solved it: never escalated
        return _timed(rng, ticket, at, events)
    events += [("escalated", {"contract": contract, "priority": priority, "office": office})]
    if rng.random() < 0.9:
        events.append(("acknowledged", {}))
    if rng.random() < 0.2:
        events += [("paused", {}), ("resumed", {})]
    if rng.random() < 0.3:
        events.append(("workaround", {}))
    if rng.random() < 0.15:
        events.append(("priority_changed", {"priority": rng.choice(PRIORITIES[contract])}))
    if rng.random() < 0.9:
        events.append(("resolved", {}))
        if rng.random() < 0.1:
            events += [("reopened", {}), ("resolved", {})]
    return _timed(rng, ticket, at, events)


def _timed(
    rng: random.Random, ticket: str, at: datetime, events: list[tuple[str, dict[str, object]]]
) -> list[tuple[datetime, dict[str, object]]]:
    out = []
    for seq, (kind, data) in enumerate(events, start=1):
        # Mostly minutes to hours apart, sometimes days, sometimes the same second.
        step = rng.choice([0, rng.randrange(60, 7200), rng.randrange(60, 3 * 86400)])
        at += timedelta(seconds=step)
        record = {"ticket": ticket, "seq": seq, "at": at.isoformat(timespec="seconds"), "type": kind, **data}
        out.append((at, record))
    return out


def log_lines(tickets: int, seed: int = 2026) -> list[str]:
    """The log as JSON lines, in time order (tickets interleaved)."""
    rng = random.Random(seed)
    everything: list[tuple[datetime, dict[str, object]]] = []
    for number in range(1, tickets + 1):
        everything.extend(_ticket(rng, number))
    everything.sort(key=lambda item: item[0])
    return [json.dumps(record, separators=(",", ":")) for _, record in everything]
