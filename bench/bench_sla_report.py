"""Benchmark: the SLA report over many tickets in a SQLite database (default 100,000; try 1,000,000).

Tickets and their events (created, escalated, acknowledged, resolved; every fifth ticket also
paused/resumed) are bulk-inserted straight into `ticket` and `event`; the hash chain is not
computed (the report reads only the head row), so `audit verify` would reject this database.
Prints generation and report times; not part of the test suite.

    .venv/bin/python bench/bench_sla_report.py [TICKETS]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from tests.support.world import START, WARSAW, make_container, populate

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.db.tables import EventRow, TicketRow
from helpdesk.services.sla.report import sla_report
from helpdesk.services.sla.report_formats import render


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        container = make_container(f"sqlite:///{Path(tmp)}/bench.db", clock)
        people = populate(container)
        author = people["urz.plock"].id
        ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
        event_t = EventRow.__table__  # type: ignore[attr-defined]
        offices = ["1462011", "1419112"]
        plans = [
            ("umowa-ezd-2026", "wykonawca-ezd", "EZD", ["critical", "high", "normal"]),
            ("umowa-esb-2026", "wykonawca-esb", "ESB", ["critical", "high", "normal"]),
        ]
        t0 = time.perf_counter()
        position = 0
        span = 365 * 24 * 3600
        with container.db.engine.begin() as conn:
            for chunk in range(0, count, 20_000):
                tickets, events = [], []
                for no in range(chunk + 1, min(count, chunk + 20_000) + 1):
                    contract, contractor, component, priorities = plans[no % 2]
                    priority = priorities[no % 3]
                    start = START + timedelta(seconds=rng.randrange(span))
                    steps = [
                        ("created", {}),
                        ("escalated", {"contract": contract, "priority": priority}),
                        ("acknowledged", {}),
                    ]
                    if no % 5 == 0:
                        steps += [("paused", {}), ("resumed", {})]
                    steps.append(("resolved", {}))
                    at = start
                    for seq, (type_, data) in enumerate(steps, 1):
                        position += 1
                        events.append(
                            {
                                "id": position,
                                "ticket_no": no,
                                "seq": seq,
                                "at": at.astimezone(WARSAW).isoformat(timespec="seconds"),
                                "at_utc": at,
                                "type": type_,
                                "actor": "bench",
                                "data": json.dumps(data),
                                "prev": "0" * 64,
                                "hash": "0" * 64,
                            }
                        )
                        at += timedelta(minutes=rng.randrange(5, 3000))
                    tickets.append(
                        {
                            "no": no,
                            "office": offices[no % 2],
                            "author_id": author,
                            "title": "x",
                            "description": "",
                            "component": component,
                            "priority": priority,
                            "state": "resolved",
                            "escalated": True,
                            "contract": contract,
                            "contractor": contractor,
                            "created_at": start,
                            "updated_at": at,
                            "escalated_at": start,
                            "last_seq": len(steps),
                        }
                    )
                conn.execute(insert(ticket_t), tickets)
                conn.execute(insert(event_t), events)
            conn.exec_driver_sql(f"UPDATE log_head SET event_count = {position}, last_ticket_no = {count}")
        print(f"generated {count:,} tickets, {position:,} events in {time.perf_counter() - t0:.1f} s")
        now = START + timedelta(days=400)
        for details in (False, True):
            t0 = time.perf_counter()
            report = sla_report(
                container.db, container.contracts, now, WARSAW, "2027-03-01", "2028-02-29", details=details
            )
            took = time.perf_counter() - t0
            t1 = time.perf_counter()
            size = len(render(report, "json"))
            print(
                f"report over {report['total']['tickets']:,} tickets (per-ticket rows: {details}): "
                f"{took:.1f} s, json {size / 1e6:.1f} MB rendered in {time.perf_counter() - t1:.1f} s"
            )
        container.close()


if __name__ == "__main__":
    main()
