"""`helpdesk sla replay`: recompute the contractor SLA from an event log (SPEC §6), as an auditor would.

Reads JSON Lines (SPEC §4.3), checks every line, groups events per ticket, and runs the same pure
clock function the live system uses. It needs only `ticket`, `seq`, `at`, `type`, `contract` and
`priority`; `prev`, `hash` and `actor` are carried and ignored. Every error names the line.
All tickets are computed before the first one is yielded, so bad input never gives half a result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from operator import itemgetter
from typing import Any

from helpdesk.domain.contracts import PRIORITIES, Contract
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.events import (
    ACKNOWLEDGED,
    ESCALATED,
    PAUSED,
    PRIORITY_CHANGED,
    REOPENED,
    RESOLVED,
    RESUMED,
    WORKAROUND,
)
from helpdesk.domain.sla import ClockEvent, compute_sla_ts

# Events the clocks read; the rest are checked and then dropped to keep memory small.
_CLOCK_TYPES = frozenset(
    {ESCALATED, ACKNOWLEDGED, WORKAROUND, RESOLVED, PAUSED, RESUMED, REOPENED, PRIORITY_CHANGED}
)
_PRIORITIES = frozenset(PRIORITIES)
_by_at_seq = itemgetter(0, 1)


def _text_field(record: Mapping[str, Any], key: str, lineno: int) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        if value is None:
            raise InvalidInput(f"linia {lineno}: brak pola '{key}'")
        raise InvalidInput(f"linia {lineno}: pole '{key}' musi być niepustym tekstem")
    return value


def _parse_at(value: str, lineno: int) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"linia {lineno}: niepoprawny czas '{value}' (oczekiwano ISO 8601 ze strefą)") from None
    if at.tzinfo is None:
        raise InvalidInput(f"linia {lineno}: czas '{value}' bez przesunięcia strefy (np. +01:00)")
    return at


def read_events(lines: Iterable[str], contracts: Mapping[str, Contract]
                ) -> dict[str, list[tuple[float, int, ClockEvent]]]:
    """Check every line and group the clock events per ticket, in order of first appearance."""
    tickets: dict[str, list[tuple[float, int, ClockEvent]]] = {}
    loads = json.loads
    for lineno, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        try:
            record = loads(line)
        except ValueError:
            raise InvalidInput(f"linia {lineno}: niepoprawny JSON") from None
        if not isinstance(record, dict):
            raise InvalidInput(f"linia {lineno}: oczekiwano obiektu JSON")
        ticket = record.get("ticket")
        at_text = record.get("at")
        kind = record.get("type")
        if not (isinstance(ticket, str) and ticket and isinstance(at_text, str)
                and isinstance(kind, str) and kind):
            _text_field(record, "ticket", lineno)
            _text_field(record, "at", lineno)
            _text_field(record, "type", lineno)
        assert isinstance(ticket, str) and isinstance(at_text, str) and isinstance(kind, str)
        at = _parse_at(at_text, lineno)
        seq = record.get("seq", 0)
        if seq is None:
            seq = 0
        elif type(seq) is not int:
            raise InvalidInput(f"linia {lineno}: pole 'seq' musi być liczbą całkowitą")
        events = tickets.get(ticket)
        if events is None:
            events = tickets[ticket] = []
        if kind not in _CLOCK_TYPES:
            continue
        contract = priority = None
        if kind == ESCALATED:
            contract = _text_field(record, "contract", lineno)
            priority = _text_field(record, "priority", lineno)
            known = contracts.get(contract)
            if known is None:
                raise InvalidInput(f"linia {lineno}: nieznana umowa '{contract}'")
            if priority not in known.priorities:
                raise InvalidInput(
                    f"linia {lineno}: nieznany priorytet '{priority}' w umowie '{contract}'"
                )
        elif kind == PRIORITY_CHANGED:
            priority = _text_field(record, "priority", lineno)
            if priority not in _PRIORITIES:
                raise InvalidInput(f"linia {lineno}: nieznany priorytet '{priority}'")
        events.append((at.timestamp(), seq, ClockEvent(at, seq, kind, contract, priority, lineno)))
    return tickets


def replay(lines: Iterable[str], contracts: Mapping[str, Contract], as_of: datetime) -> Iterator[dict[str, Any]]:
    """SPEC §6 objects, one per ticket escalated by `as_of`, in order of first appearance."""
    if as_of.tzinfo is None:
        raise InvalidInput("--as-of musi mieć strefę czasową (np. 2027-03-05T12:00:00+01:00)")
    tickets = read_events(lines, contracts)
    as_of_ts = as_of.timestamp()
    results: list[dict[str, Any]] = []
    for ticket, events in tickets.items():
        if not events:
            continue
        events.sort(key=_by_at_seq)
        sla = compute_sla_ts(events, contracts, as_of, as_of_ts)
        if sla is not None:
            results.append(sla.to_json(ticket))
    yield from results
