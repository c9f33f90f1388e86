"""`helpdesk sla replay`: recompute the contractor SLA from an event log, as an auditor would.

Reads JSON Lines (the form `helpdesk audit export` writes), checks every line, groups events per ticket, and runs the same pure
clock function the live system uses. It needs only `ticket`, `seq`, `at`, `type`, `contract` and
`priority`; `prev`, `hash` and `actor` are carried and ignored. Every error names the line.
All tickets are computed before the first one is yielded, so bad input never gives half a result.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

import msgspec

from helpdesk.domain.contracts import PRIORITIES, Contract
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.events import (
    ACKNOWLEDGED,
    ASSIGNED,
    CREATED,
    ESCALATED,
    PAUSED,
    PRIORITY_CHANGED,
    REOPENED,
    REPLIED,
    RESOLVED,
    RESUMED,
    WORKAROUND,
)
from helpdesk.domain.office_terms import OfficeBook
from helpdesk.domain.sla import ClockEvent, TicketSla, apply_penalty_caps, compute_first_line, compute_sla_ts

# Events the clocks read; the rest are checked and then dropped to keep memory small.
_CLOCK_TYPES = frozenset(
    {ESCALATED, ACKNOWLEDGED, WORKAROUND, RESOLVED, PAUSED, RESUMED, REOPENED, PRIORITY_CHANGED}
)
# With office terms the first line's clocks also read these.
_FIRST_LINE_TYPES = _CLOCK_TYPES | {CREATED, ASSIGNED, REPLIED}
# Name -> the one shared string of that name: events keep these rather than the string each line
# decoded to, so a log's 500,000 events hold (and later free) a few strings, not a million.
_PRIORITIES = {name: name for name in PRIORITIES}
_by_at_seq = itemgetter(0, 1)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MICROSECOND = timedelta(microseconds=1)


class _Line(msgspec.Struct, gc=False):
    """The fields of a log line the clocks read; the others are checked as JSON and skipped."""

    # Typed: msgspec checks these in C, and a line where one is missing or of another type
    # takes the slow path, which names the line and the field as before.
    ticket: str
    at: str
    type: str
    seq: int | None = 0
    office: Any = None
    priority: Any = None
    contract: Any = None


# msgspec decodes a line straight into _Line, building no dict and no strings for `prev`, `hash`,
# `actor`: a third of the cost of json or orjson. A line it refuses (blank, NaN, a huge integer,
# odd whitespace, not an object, not JSON) takes the json module's way, so every line is
# accepted or refused exactly as before, with the same message.
_decode_line = msgspec.json.Decoder(_Line).decode


def _text_field(value: Any, key: str, lineno: int) -> str:
    if not isinstance(value, str) or not value:
        if value is None:
            raise InvalidInput(f"linia {lineno}: brak pola '{key}'")
        raise InvalidInput(f"linia {lineno}: pole '{key}' musi być niepustym tekstem")
    return value


def read_events(
    lines: Iterable[str], contracts: Mapping[str, Contract], *, first_line: bool = False
) -> dict[str, list[tuple[float, int, ClockEvent]]]:
    """Check every line and group the clock events per ticket, in order of first appearance
    (with `first_line`, also the events the first line's clocks read); each ticket's events
    come sorted by (at, seq), equal ones in the file's order."""
    tickets: dict[str, list[tuple[float, int, ClockEvent]]] = {}
    # raw_decode skips json.loads' two whitespace regex matches per line (the slow path's first try).
    raw_decode = json.JSONDecoder().raw_decode
    decode_line = _decode_line
    fromisoformat = datetime.fromisoformat
    clock_types = {kind: kind for kind in (_FIRST_LINE_TYPES if first_line else _CLOCK_TYPES)}
    office_codes: dict[str, str] = {}
    plain_types = frozenset(clock_types) - {CREATED, ESCALATED, PRIORITY_CHANGED}
    office_types = (ESCALATED, CREATED)
    unsorted: set[str] = set()  # tickets with an event out of (at, seq) order
    offsets: dict[Any, int] = {}  # time zone of a parsed `at` -> its UTC offset in microseconds
    new_tuple = tuple.__new__
    for lineno, line in enumerate(lines, start=1):
        try:
            record = decode_line(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            try:
                parsed, end = raw_decode(line)
                if end != len(line) and not line[end:].isspace():
                    raise ValueError("trailing data") from None
            except ValueError:
                if not line or line.isspace():
                    continue
                parsed = _careful_loads(line, lineno)
            if type(parsed) is not dict:
                raise InvalidInput(f"linia {lineno}: oczekiwano obiektu JSON") from None
            ticket = parsed.get("ticket")
            at_text = parsed.get("at")
            kind = parsed.get("type")
            if (
                type(ticket) is not str
                or type(at_text) is not str
                or type(kind) is not str
                or not ticket
                or not kind
            ):
                ticket = _text_field(ticket, "ticket", lineno)
                at_text = _text_field(at_text, "at", lineno)
                kind = _text_field(kind, "type", lineno)
            # Struct() does not check types: `seq` is checked below as for every line.
            record = _Line(
                ticket,
                at_text,
                kind,
                parsed.get("seq", 0),
                parsed.get("office"),
                parsed.get("priority"),
                parsed.get("contract"),
            )
        ticket = record.ticket
        at_text = record.at
        kind = record.type
        if not ticket or not kind:  # an empty `at` is a bad time, below
            ticket = _text_field(ticket, "ticket", lineno)
            at_text = _text_field(at_text, "at", lineno)
            kind = _text_field(kind, "type", lineno)
        try:
            at = fromisoformat(at_text)
        except ValueError:
            raise InvalidInput(
                f"linia {lineno}: niepoprawny czas '{at_text}' (oczekiwano ISO 8601 ze strefą)"
            ) from None
        if at.tzinfo is None:
            raise InvalidInput(f"linia {lineno}: czas '{at_text}' bez przesunięcia strefy (np. +01:00)")
        seq = record.seq
        if type(seq) is not int:
            if seq is not None:
                raise InvalidInput(f"linia {lineno}: pole 'seq' musi być liczbą całkowitą")
            seq = 0
        events = tickets.get(ticket)
        if events is None:
            events = tickets[ticket] = []
        known_kind = clock_types.get(kind)
        if known_kind is None:
            continue
        kind = known_kind
        contract = priority = office = None
        if kind in plain_types:
            pass  # most events carry nothing more the clocks read
        elif kind in office_types:
            code = record.office
            if code is not None:
                code = code if type(code) is str else _office(code, lineno)
                office = office_codes.setdefault(code, code)
        if kind in plain_types:
            pass
        elif kind == CREATED:
            priority = record.priority
            if priority is not None:
                if type(priority) is not str:
                    priority = _text_field(priority, "priority", lineno)
                if priority not in _PRIORITIES:
                    raise InvalidInput(f"linia {lineno}: nieznany priorytet '{priority}'")
                priority = _PRIORITIES[priority]
        elif kind == ESCALATED:
            contract = record.contract
            if type(contract) is not str or not contract:
                contract = _text_field(contract, "contract", lineno)
            priority = record.priority
            if type(priority) is not str or not priority:
                priority = _text_field(priority, "priority", lineno)
            known = contracts.get(contract)
            if known is None:
                raise InvalidInput(f"linia {lineno}: nieznana umowa '{contract}'")
            if priority not in known.priorities:
                raise InvalidInput(f"linia {lineno}: nieznany priorytet '{priority}' w umowie '{contract}'")
            priority = _PRIORITIES.get(priority, priority)
        elif kind == PRIORITY_CHANGED:
            priority = _text_field(record.priority, "priority", lineno)
            if priority not in _PRIORITIES:
                raise InvalidInput(f"linia {lineno}: nieznany priorytet '{priority}'")
            priority = _PRIORITIES[priority]
        # The POSIX seconds from the datetime's fields: the same float as `at.timestamp()`
        # (whole microseconds over 10**6, correctly rounded) at two thirds of its cost.
        zone = at.tzinfo
        offset = offsets.get(zone)
        if offset is None:
            delta = at.utcoffset()
            if delta is None:  # an aware time from fromisoformat always has one
                raise InvalidInput(f"linia {lineno}: czas '{at_text}' bez przesunięcia strefy (np. +01:00)")
            offset = offsets[zone] = delta // _MICROSECOND
        micros = (
            ((at.toordinal() - _EPOCH_ORDINAL) * 86400 + at.hour * 3600 + at.minute * 60 + at.second)
            * 1_000_000
            + at.microsecond
            - offset
        )
        # tuple.__new__ skips the NamedTuple's Python-level __new__ (half the cost of an event).
        event = new_tuple(ClockEvent, (at, seq, kind, contract, priority, lineno, office))
        ts = micros / 1_000_000
        if events:
            # A log is written in time order: sort only the tickets whose events are not.
            before = events[-1]
            if ts < before[0] or (ts == before[0] and seq < before[1]):
                unsorted.add(ticket)
        events.append((ts, seq, event))
    for ticket in unsorted:
        tickets[ticket].sort(key=_by_at_seq)  # stable: equal (at, seq) keep the file's order
    return tickets


def _office(value: Any, lineno: int) -> str:
    """An office code given as a number, as text; anything else is an error naming the line."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(f"linia {lineno}: pole 'office' musi być kodem urzędu")
    return str(value)


def _careful_loads(line: str, lineno: int) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        raise InvalidInput(f"linia {lineno}: niepoprawny JSON") from None


def replay(
    lines: Iterable[str],
    contracts: Mapping[str, Contract],
    as_of: datetime,
    offices: OfficeBook | None = None,
) -> Iterator[dict[str, Any]]:
    """Replay objects (the `to_json` of domain/sla.py), one per ticket escalated by `as_of`, in order of first appearance.

    Each names its `contract_version`; with office terms (`offices`) it carries the first line's
    clocks (`first_line`); under a contract with a total cap, `penalty_due_pln` is what the cap
    leaves of its penalties, the cap taken in the order the breaches happened.
    """
    if as_of.tzinfo is None:
        raise InvalidInput("--as-of musi mieć strefę czasową (np. 2027-03-05T12:00:00+01:00)")
    with_first_line = offices is not None and (offices.default is not None or len(offices) > 0)
    capped = any(c.penalties_cap is not None for c in contracts.values())
    # A replay allocates millions of small objects that all live until the end; the cyclic
    # garbage collector would re-scan them again and again (a third of the run time) and can
    # free nothing, since none of them form cycles. Pause it for the batch.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        tickets = read_events(lines, contracts, first_line=with_first_line)
        as_of_ts = as_of.timestamp()
        results: list[dict[str, Any]] = []
        computed: list[tuple[str, TicketSla]] = []
        for ticket, events in tickets.items():
            if not events:
                continue
            sla = compute_sla_ts(events, contracts, as_of, as_of_ts, offices)
            if sla is not None:
                row = sla.to_json(ticket)
                if with_first_line:
                    first = compute_first_line(events, offices, as_of_ts)
                    if first is not None:
                        row["first_line"] = first.to_json()
                results.append(row)
                if capped and sla.penalty_pln > 0:
                    # Only tickets with a penalty take part in the cap (none of a ticket's clocks
                    # has one when their sum is 0); the others are due 0 below.
                    computed.append((ticket, sla))
            # Free the ticket's events now, while the clocks have just read them: freeing half a
            # million of them in one go at the end, out of the processor's cache, cost a tenth
            # of the replay.
            events.clear()
        del tickets
        if capped:
            _add_due(results, computed, contracts)
    finally:
        if was_enabled:
            gc.enable()
    yield from results


def _add_due(
    results: list[dict[str, Any]], computed: list[tuple[str, TicketSla]], contracts: Mapping[str, Contract]
) -> None:
    due: dict[str, float] = {}
    for entry in apply_penalty_caps(computed, contracts):
        due[entry.ticket] = due.get(entry.ticket, 0.0) + entry.due
    capped = {key for key, contract in contracts.items() if contract.penalties_cap is not None}
    for row in results:
        if row["contract"] in capped and not row["out_of_contract"]:
            owed = due.get(row["ticket"])
            if owed is None:  # no penalty at all (round(0.0, 2) would give 0 as well)
                row["penalty_due_pln"] = 0
                continue
            value = round(owed, 2)
            row["penalty_due_pln"] = int(value) if value == int(value) else value
