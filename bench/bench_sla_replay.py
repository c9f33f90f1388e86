"""Benchmark: `sla replay` over a synthetic five-year log of 100,000 tickets (~500,000 events).

Generates the log into a temporary file (in log order, i.e. by time, tickets interleaved, with
`actor`/`prev`/`hash`-like fields so lines have a realistic size), then times parsing + computing
with the shipped contracts (the EZD contract's annex from 2029, the ESB contract's `normal`
counted in office calendars) and 300 offices, 100 of them with their own calendar file (own
hours, closed and open days) and first-line targets from `sla/first_line.yaml` — so office
calendars, the first line's clocks, annexes and the total caps are all in use. Prints figures;
not part of the test suite.

    .venv/bin/python bench/bench_sla_replay.py [TICKETS]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from helpdesk.adapters.files.contracts import load_contracts
from helpdesk.adapters.files.office_calendar import load_sla_offices
from helpdesk.services.sla.replay import replay

ROOT = Path(__file__).resolve().parent.parent
WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 1, 1, tzinfo=WARSAW)
SPAN_SECONDS = int((datetime(2030, 12, 31, tzinfo=WARSAW) - START).total_seconds())
PRIORITIES = {
    "umowa-ezd-2026": ["critical", "high", "normal", "normal", "low"],
    "umowa-esb-2026": ["critical", "high", "normal", "normal"],
}


OFFICES = [f"14{n:05d}" for n in range(300)]


def write_sla_dir(folder: Path) -> None:
    """The shipped contracts and defaults, plus 100 office calendar files."""
    (folder / "contracts").mkdir(parents=True)
    for path in (ROOT / "sla" / "contracts").glob("*.yaml"):
        (folder / "contracts" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "first_line.yaml").write_text((ROOT / "sla" / "first_line.yaml").read_text(encoding="utf-8"))
    (folder / "offices").mkdir()
    rng = random.Random(7)
    for code in OFFICES[:100]:
        start = rng.choice(["07:00", "07:30", "08:00"])
        end = {"07:00": "15:00", "07:30": "15:30", "08:00": "16:00"}[start]
        closed = sorted(
            {f"{y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}" for y in range(2026, 2031)}
        )
        (folder / "offices" / f"{code}.yaml").write_text(
            f"office: {code}\ncalendar: {{timezone: Europe/Warsaw, days: [mon, tue, wed, thu, fri], "
            f'hours: ["{start}", "{end}"], holidays: PL, closed: [{", ".join(closed)}]}}\n'
            "first_line:\n  critical: {take: 30m, answer: 1h, resolve_or_escalate: 2h}\n",
            encoding="utf-8",
        )


def ticket_events(rng: random.Random, number: int) -> list[tuple[datetime, dict[str, object]]]:
    """One ticket's life: created, assigned, maybe replied, escalated, acknowledged, maybe
    paused/workaround/reopen, resolved."""
    ticket = f"T-{number:06d}"
    at = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    contract = rng.choice(list(PRIORITIES))
    office = rng.choice(OFFICES)
    priority = rng.choice(PRIORITIES[contract])
    events: list[tuple[str, dict[str, object]]] = [
        ("created", {"office": office, "priority": priority}),
        ("assigned", {"assignee": f"lider{rng.randrange(600)}"}),
    ]
    if rng.random() < 0.5:
        events.append(("replied", {}))
    steps: list[tuple[str, dict[str, object]]] = [
        ("escalated", {"contract": contract, "priority": priority, "office": office}),
        ("acknowledged", {}),
    ]
    if rng.random() < 0.15:
        steps += [("paused", {}), ("resumed", {})]
    if rng.random() < 0.3:
        steps.append(("workaround", {}))
    if rng.random() < 0.05:
        steps.append(("priority_changed", {"priority": "high"}))
    steps.append(("resolved", {}))
    if rng.random() < 0.05:
        steps += [("reopened", {}), ("resolved", {})]
    events += steps
    out = []
    for seq, (kind, data) in enumerate(events, start=1):
        at += timedelta(seconds=rng.randrange(60, 3 * 86400))
        record = {
            "ticket": ticket,
            "seq": seq,
            "at": at.isoformat(timespec="seconds"),
            "type": kind,
            **data,
            "actor": f"user{rng.randrange(900)}",
            "prev": "0" * 64,
            "hash": "f" * 64,
        }
        out.append((at, record))
    return out


def generate(path: Path, tickets: int) -> int:
    """Write the log to `path` in time order; return the number of events."""
    rng = random.Random(2026)
    everything: list[tuple[datetime, dict[str, object]]] = []
    for number in range(1, tickets + 1):
        everything.extend(ticket_events(rng, number))
    everything.sort(key=lambda item: item[0])
    with path.open("w", encoding="utf-8") as handle:
        for _, record in everything:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
    return len(everything)


def main() -> None:
    """Generate, replay, print figures."""
    tickets = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    as_of = datetime(2031, 6, 30, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        write_sla_dir(Path(tmp) / "sla")
        contracts = load_contracts(Path(tmp) / "sla")
        offices = load_sla_offices(Path(tmp) / "sla")
        path = Path(tmp) / "events.jsonl"
        began = time.perf_counter()
        events = generate(path, tickets)
        generated = time.perf_counter() - began
        size_mb = path.stat().st_size / 1e6
        began = time.perf_counter()
        cpu_began = time.process_time()
        with path.open(encoding="utf-8") as handle:
            results = list(replay(handle, contracts, as_of, offices))
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
    breached = sum(1 for r in results for m in r["metrics"].values() if m["state"] == "breached")
    penalties = sum(r["penalty_pln"] for r in results)
    due = sum(r.get("penalty_due_pln", r["penalty_pln"]) for r in results)
    versions = sum(1 for r in results if r["contract_version"] != r["contract"])
    first_line = sum(1 for r in results if "first_line" in r)
    print(f"log: {tickets:,} tickets, {events:,} events, {size_mb:.1f} MB (generated in {generated:.1f} s)")
    print(
        f"replay (parse + compute): {elapsed:.2f} s, {events / elapsed:,.0f} events/s, "
        f"{len(results) / elapsed:,.0f} tickets/s; {cpu:.2f} s of CPU (on a shared machine CPU time "
        "varies less than wall time)"
    )
    print(f"results: {len(results):,} tickets, {breached:,} breached clocks, penalties {penalties:,.0f} PLN")
    print(
        f"in use: {versions:,} tickets under an annex, {first_line:,} with first-line clocks, "
        f"{len(offices):,} office calendars; due after the total caps {due:,.0f} PLN"
    )
    print(f"target: 100,000 tickets under 5 s -> {'OK' if elapsed < 5 else 'SLOW'}")


if __name__ == "__main__":
    main()
