"""Benchmark: `sla replay` over a synthetic five-year log of 100,000 tickets (~450,000 events).

Generates the log into a temporary file (in log order, i.e. by time, tickets interleaved, with
`actor`/`prev`/`hash`-like fields so lines have a realistic size), then times parsing + computing
with the shipped demo contracts. Prints figures; not part of the test suite.

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
from helpdesk.services.sla.replay import replay

ROOT = Path(__file__).resolve().parent.parent
WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 1, 1, tzinfo=WARSAW)
SPAN_SECONDS = int((datetime(2030, 12, 31, tzinfo=WARSAW) - START).total_seconds())
PRIORITIES = {
    "umowa-ezd-2026": ["critical", "high", "normal", "normal", "low"],
    "umowa-esb-2026": ["critical", "high", "normal", "normal"],
}


def ticket_events(rng: random.Random, number: int) -> list[tuple[datetime, dict[str, object]]]:
    """One ticket's life: created, escalated, acknowledged, maybe paused/workaround/reopen, resolved."""
    ticket = f"T-{number:06d}"
    at = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    contract = rng.choice(list(PRIORITIES))
    events: list[tuple[str, dict[str, object]]] = [("created", {})]
    steps: list[tuple[str, dict[str, object]]] = [
        ("escalated", {"contract": contract, "priority": rng.choice(PRIORITIES[contract])}),
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
    contracts = load_contracts(ROOT / "sla")
    as_of = datetime(2031, 6, 30, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        began = time.perf_counter()
        events = generate(path, tickets)
        generated = time.perf_counter() - began
        size_mb = path.stat().st_size / 1e6
        began = time.perf_counter()
        with path.open(encoding="utf-8") as handle:
            results = list(replay(handle, contracts, as_of))
        elapsed = time.perf_counter() - began
    breached = sum(1 for r in results for m in r["metrics"].values() if m["state"] == "breached")
    penalties = sum(r["penalty_pln"] for r in results)
    print(f"log: {tickets:,} tickets, {events:,} events, {size_mb:.1f} MB (generated in {generated:.1f} s)")
    print(
        f"replay (parse + compute): {elapsed:.2f} s, {events / elapsed:,.0f} events/s, "
        f"{len(results) / elapsed:,.0f} tickets/s"
    )
    print(f"results: {len(results):,} tickets, {breached:,} breached clocks, penalties {penalties:,.0f} PLN")
    print(f"target: 100,000 tickets / 450,000 events under 5 s -> {'OK' if elapsed < 5 else 'SLOW'}")


if __name__ == "__main__":
    main()
