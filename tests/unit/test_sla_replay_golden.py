"""The replay of a seeded 2,000-ticket log gives, ticket by ticket, the figures recorded before
the replay was made faster.

`tests/fixtures/sla/golden/expected.txt` holds one line per escalated ticket: the ticket and a
digest of its replay object plus the clock details the live system reads (due and breach
instants, time waited for the office, the calendar), at two `as_of` instants: one in the middle of
the contracts (clocks running, paused, handed over) and one after all of them. It was written by
the code before the speed work; a change meant to alter results must rewrite it on purpose:

    HELPDESK_SLA_GOLDEN_WRITE=1 .venv/bin/python -m pytest tests/unit/test_sla_replay_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpdesk.adapters.files.contracts import load_contracts
from helpdesk.adapters.files.office_calendar import load_sla_offices
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.sla import compute_sla_ts
from helpdesk.services.sla.replay import read_events, replay
from tests.support.sla_log import log_lines, write_offices

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "sla" / "golden"
EXPECTED = GOLDEN / "expected.txt"
AS_OF = (datetime.fromisoformat("2028-06-15T10:30:00+02:00"), datetime(2031, 6, 30, tzinfo=UTC))
TICKETS = 2000


def _when(value: datetime | float | None) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _digests(tmp_path: Path, lines: list[str]) -> dict[str, list[str]]:
    """ticket -> one digest per AS_OF (an empty string where not escalated by then)."""
    folder = tmp_path / "sla"
    if not folder.exists():
        shutil.copytree(GOLDEN, folder, ignore=shutil.ignore_patterns("expected.txt"))
        write_offices(folder / "offices")
    contracts = load_contracts(folder)
    offices = load_sla_offices(folder)
    out: dict[str, list[str]] = {}
    for column, as_of in enumerate(AS_OF):
        rows = {row["ticket"]: row for row in replay(lines, contracts, as_of, offices)}
        grouped = read_events(lines, contracts, first_line=True)
        for ticket, events in grouped.items():
            events.sort(key=lambda item: (item[0], item[1]))
            sla = compute_sla_ts(events, contracts, as_of, as_of.timestamp(), offices)
            digest = ""
            if sla is not None:
                details = {
                    name: [_when(m.due_at), _when(m.breached_at), m.running, m.paused, m.penalty_pln]
                    for name, m in sla.metrics.items()
                }
                whole = [rows[ticket], details, sla.waited, sla.calendar, _when(sla.escalated_at)]
                digest = hashlib.sha256(json.dumps(whole, sort_keys=True).encode()).hexdigest()[:16]
            out.setdefault(ticket, ["", ""])[column] = digest
    return out


def test_a_seeded_log_replays_to_the_recorded_figures_ticket_by_ticket(tmp_path: Path) -> None:
    got = _digests(tmp_path, log_lines(TICKETS))
    text = "".join(f"{ticket} {' '.join(d or '-' for d in pair)}\n" for ticket, pair in got.items())
    if os.environ.get("HELPDESK_SLA_GOLDEN_WRITE") == "1":
        EXPECTED.write_text(text, encoding="utf-8")
    want = EXPECTED.read_text(encoding="utf-8").splitlines()
    mine = text.splitlines()
    assert len(mine) == len(want)
    differ = [a.split()[0] for a, b in zip(mine, want, strict=True) if a != b]
    assert not differ, f"{len(differ)} tickets differ, first: {differ[:5]}"
    escalated = sum(1 for pair in got.values() if pair[1])
    assert escalated > TICKETS * 0.9  # the log really exercises the clocks


def test_the_same_log_backwards_gives_every_ticket_the_same_figures(tmp_path: Path) -> None:
    """Events are taken in (at, seq) order whatever the file's: every ticket's events out of order."""
    want = {line.split()[0]: line.split()[1:] for line in EXPECTED.read_text(encoding="utf-8").splitlines()}
    got = _digests(tmp_path, log_lines(TICKETS)[::-1])
    assert {ticket: [d or "-" for d in pair] for ticket, pair in got.items()} == want


ODD_LINES = GOLDEN.parent / "odd_lines.json"


def test_odd_lines_are_accepted_or_refused_with_the_same_message_as_before() -> None:
    """`odd_lines.json` holds lines at the edges of what the parser takes (wrong types, empty
    fields, NaN, odd whitespace, duplicate keys, other time forms) after a valid escalation, and
    what the replay made of each before the faster parser: its output, or its error message."""
    fixture = json.loads(ODD_LINES.read_text(encoding="utf-8"))
    contracts = load_contracts(GOLDEN.parent)
    escalated = json.dumps(
        {
            "ticket": "T-1",
            "seq": 1,
            "at": "2026-03-02T09:00:00+01:00",
            "type": "escalated",
            "contract": "umowa-testowa",
            "priority": "normal",
        }
    )
    as_of = datetime.fromisoformat("2027-01-15T12:00:00+01:00")
    for odd, (outcome, detail) in zip(fixture["lines"], fixture["want"], strict=True):
        try:
            got = ["ok", json.dumps(list(replay([escalated, odd], contracts, as_of)), sort_keys=True)]
        except InvalidInput as err:
            got = ["error", str(err)]
        assert got == [outcome, detail], odd


def test_a_created_event_whose_priority_is_not_text_is_refused_with_its_line_number() -> None:
    """Not a TypeError from deep inside: the auditor is told which line and which field."""
    contracts = load_contracts(GOLDEN.parent)
    for priority in (["high"], {"a": 1}, 3):
        line = json.dumps(
            {
                "ticket": "T-1",
                "seq": 1,
                "at": "2026-03-02T09:00:00+01:00",
                "type": "created",
                "priority": priority,
            }
        )
        try:
            read_events([line], contracts, first_line=True)  # the first line's clocks read `created`
        except InvalidInput as err:
            assert str(err) == "linia 1: pole 'priority' musi być niepustym tekstem"
        else:
            raise AssertionError(f"accepted {priority!r}")
