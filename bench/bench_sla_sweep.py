"""Benchmark: one SLA sweep over 100,000 open tickets in SQLite — nothing due, then 1,000 due.

Tickets are bulk-inserted straight into the `ticket` table (deadlines in the future), plus, for
the due ones, a `created` and an `escalated` event so the sweep can recompute their clocks.
Prints figures; not part of the test suite.

    .venv/bin/python bench/bench_sla_sweep.py [TICKETS] [DUE]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from tests.support.world import START, make_container, populate

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.db.tables import EventRow, TicketRow
from helpdesk.services.sla.sweep import SlaSweep


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    due = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        container = make_container(f"sqlite:///{Path(tmp)}/bench.db", clock)
        people = populate(container)
        author = people["urz.plock"].id
        now = clock.now()
        ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
        event_t = EventRow.__table__  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        rows = []
        for no in range(1, count + 1):
            rows.append(
                {
                    "no": no,
                    "office": "1462011",
                    "author_id": author,
                    "title": f"Zgłoszenie {no}",
                    "description": "",
                    "component": "EZD",
                    "priority": "normal",
                    "state": "escalated",
                    "escalated": True,
                    "contract": "umowa-ezd-2026",
                    "contractor": "wykonawca-ezd",
                    "created_at": now,
                    "updated_at": now,
                    "escalated_at": now,
                    "last_seq": 2,
                    "next_deadline": now + timedelta(days=1, seconds=no),
                }
            )
        with container.db.engine.begin() as conn:
            conn.execute(insert(ticket_t), rows)
        print(f"inserted {count:,} open tickets in {time.perf_counter() - t0:.1f} s")
        sweep = SlaSweep(container.db, container.sla, container.tickets.recorder)
        clock.set(now + timedelta(hours=1))
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            result = sweep.sweep(clock.now())
            timings.append(time.perf_counter() - t0)
            assert result.tickets == 0
        print(
            f"sweep, nothing due: median {statistics.median(timings) * 1000:.2f} ms, "
            f"max {max(timings) * 1000:.2f} ms (20 runs, {count:,} open tickets)"
        )

        # `due` tickets escalated at START whose warning instant has come.
        events = []
        for position, no in enumerate(range(1, due + 1)):
            at = now.isoformat(timespec="seconds")
            for seq, type_, data in (
                (1, "created", {}),
                (2, "escalated", {"contract": "umowa-ezd-2026", "priority": "normal"}),
            ):
                events.append(
                    {
                        "id": 2 * position + seq,
                        "ticket_no": no,
                        "seq": seq,
                        "at": at,
                        "at_utc": now,
                        "type": type_,
                        "actor": "bench",
                        "data": json.dumps(data),
                        "prev": "0" * 64,
                        "hash": "0" * 64,
                    }
                )
        with container.db.engine.begin() as conn:
            conn.execute(insert(event_t), events)
            conn.exec_driver_sql(f"UPDATE log_head SET event_count = {len(events)}, last_ticket_no = {count}")
            conn.exec_driver_sql(
                f"UPDATE ticket SET next_deadline = '2027-03-01 14:24:00.000000' WHERE no <= {due}"
            )
        clock.set(now.replace(hour=16))
        t0 = time.perf_counter()
        result = sweep.sweep(clock.now())
        elapsed = time.perf_counter() - t0
        print(
            f"sweep, {due:,} due: {elapsed * 1000:.0f} ms — {len(result.warnings):,} warnings, "
            f"{result.notices:,} notices queued ({elapsed / max(1, due) * 1000:.2f} ms per ticket)"
        )
        container.close()


if __name__ == "__main__":
    main()
