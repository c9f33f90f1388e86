"""Checking the event log as an auditor would: the chain, the rows' own columns, the ticket projection.

`LogVerifier` is fed the log in chain order — rows as the database stores them (`StoredEvent`), or
records of an export file — and collects every `Problem` it finds, each naming the event:

- ids run 1, 2, 3 … with no gap, no duplicate and nothing at or below 0 (an inserted, deleted or
  renumbered row);
- every row can be read: its JSON, its time with an offset (a broken row is a problem, never a
  crash);
- `prev` links to the event before, `hash` matches the content, `personal_sha256` matches the
  personal content still present;
- within a ticket, `seq` runs 1, 2, 3 … and time does not go back by more than a few minutes (an
  event slipped in afterwards with an earlier time);
- `at_utc` (which decides a report's period) is `at` in UTC;
- at the end, the computed head equals the stored one (`log_head`), and the columns of each ticket
  row that reports and access control rely on equal what its events say (`check_tickets`).

It also proves that the log extends an earlier head kept outside the database (`Anchor`): the
event at that position must have that hash. Stdlib only, like the rest of the domain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from helpdesk.domain import events as ev
from helpdesk.domain.errors import describe_json_error
from helpdesk.domain.tickets import format_ticket_id

TIME_TOLERANCE = timedelta(minutes=5)
"""How far back an event's time may go behind the one before it in the same ticket: the time is
taken just before the write waits for its turn, so two changes of one ticket at once may swap."""
MAX_PROBLEMS = 1000


class BrokenRow(ValueError):
    """A stored event that cannot be read as a record (bad JSON, bad time)."""


@dataclass(frozen=True)
class StoredEvent:
    """One row of the `event` table, exactly as stored."""

    id: int
    ticket_no: int
    seq: int
    at: str
    at_utc: datetime | None
    type: str
    actor: str | None
    data: str
    personal: str | None
    prev: str
    hash: str


@dataclass(frozen=True)
class Problem:
    """Something wrong with the log, naming where."""

    position: int  # 1-based position in chain order; 0 for the log as a whole
    ticket: str | None
    seq: int | None
    reason: str  # Polish: the people who read it are auditors and operators

    def describe(self) -> str:
        """One line naming the event and what is wrong."""
        if self.position == 0 and self.ticket is None:
            return self.reason
        where = f"zdarzenie nr {self.position}" if self.position else "zgłoszenie"
        if self.ticket is not None:
            where += f" (zgłoszenie {self.ticket}" + (f", seq {self.seq})" if self.seq is not None else ")")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Anchor:
    """An earlier head kept outside the database: the hash of the event at position `events`."""

    head: str
    events: int | None = None


@dataclass(frozen=True)
class TicketFacts:
    """The columns of a ticket row that reports and access control rely on."""

    no: int
    office: str
    author_login: str | None
    component: str | None
    state: str
    escalated: bool
    priority: str
    contract: str | None
    contractor: str | None
    last_seq: int


@dataclass
class _Ticket:
    view: ev.TicketView = field(default_factory=ev.TicketView)
    office: str | None = None
    component: str | None = None
    author: str | None = None
    contractor: str | None = None
    seq: int = 0
    latest: datetime | None = None


def log_record(row: StoredEvent) -> dict[str, Any]:
    """The log form of a stored row (personal content under `personal`); BrokenRow if unreadable."""
    try:
        data = json.loads(row.data)
    except (ValueError, TypeError) as err:
        raise BrokenRow(f"kolumna data nie jest poprawnym JSON ({describe_json_error(err)})") from None
    if not isinstance(data, dict):
        raise BrokenRow("kolumna data nie jest obiektem JSON")
    personal: Any = None
    if row.personal is not None:
        try:
            personal = json.loads(row.personal)
        except (ValueError, TypeError) as err:
            raise BrokenRow(
                f"kolumna personal nie jest poprawnym JSON ({describe_json_error(err)})"
            ) from None
        if not isinstance(personal, dict):
            raise BrokenRow("kolumna personal nie jest obiektem JSON")
    parse_at(row.at)
    record: dict[str, Any] = {"ticket": format_ticket_id(row.ticket_no), "seq": row.seq, "at": row.at}
    record["type"] = row.type
    if row.actor is not None:
        record["actor"] = row.actor
    for key, value in data.items():
        if key in ev.RESERVED_KEYS and key != ev.PERSONAL_DIGEST:
            raise BrokenRow(f"kolumna data zawiera zastrzeżone pole '{key}'")
        record[key] = value
    if personal is not None or ev.PERSONAL_DIGEST in record:
        record[ev.PERSONAL] = personal
    record["prev"], record["hash"] = row.prev, row.hash
    return record


def parse_at(text: Any) -> datetime:
    """An event time: ISO 8601 with an offset; BrokenRow otherwise."""
    if not isinstance(text, str):
        raise BrokenRow("brak czasu zdarzenia (at)")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise BrokenRow(f"niepoprawny czas zdarzenia '{text[:40]}'") from None
    if at.tzinfo is None:
        raise BrokenRow(f"czas zdarzenia '{text[:40]}' bez przesunięcia strefy")
    return at


def _utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class LogVerifier:
    """Walks the log in chain order and collects problems (see the module docstring)."""

    def __init__(self, anchor: Anchor | None = None) -> None:
        self.anchor = anchor
        self.anchor_position: int | None = None
        self.anchor_mismatch: str | None = None
        self.count = 0
        self.head = ev.GENESIS_HASH
        self.problems: list[Problem] = []
        self.more_problems = 0
        self.tickets: dict[int, _Ticket] = {}
        self.reanchors: list[dict[str, Any]] = []
        self.redacted = 0

    @property
    def ok(self) -> bool:
        """True while no problem was found."""
        return not self.problems

    def problem(self, position: int, ticket: str | None, seq: int | None, reason: str) -> None:
        """Note a problem (the first MAX_PROBLEMS are kept, the rest only counted)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(position, ticket, seq, reason))
        else:
            self.more_problems += 1

    # --- feeding --------------------------------------------------------------------------
    def feed_row(self, row: StoredEvent) -> None:
        """One stored row, the next in chain order: its id and `at_utc` too."""
        position = self.count + 1
        ticket = format_ticket_id(row.ticket_no) if row.ticket_no >= 0 else str(row.ticket_no)
        if row.id != position:
            self.problem(
                position,
                ticket,
                row.seq,
                f"identyfikator {row.id} zamiast {position}: zdarzenie wstawiono, usunięto lub "
                "przenumerowano",
            )
        try:
            record = log_record(row)
        except BrokenRow as err:
            self.count = position
            self.problem(position, ticket, row.seq, str(err))
            self.head = row.hash
            return
        if row.at_utc is not None and _utc_naive(row.at_utc).replace(microsecond=0) != _utc_naive(
            parse_at(row.at)
        ):
            self.problem(
                position,
                ticket,
                row.seq,
                f"kolumna at_utc ({row.at_utc}) nie jest czasem zdarzenia {row.at} w UTC "
                "(decyduje o okresie raportu)",
            )
        self.feed(record, checked_position=position)

    def feed(self, record: Mapping[str, Any], *, checked_position: int | None = None) -> None:
        """One record of the log form, the next in chain order (an export line, or a stored row)."""
        position = checked_position or self.count + 1
        self.count = position
        ticket_id = record.get("ticket")
        seq = record.get("seq")
        ticket = ticket_id if isinstance(ticket_id, str) else None
        seq_no = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
        prev, digest = record.get("prev"), record.get("hash")
        if not isinstance(digest, str):
            self.problem(position, ticket, seq_no, "brak skrótu (hash)")
            digest = ""
        if prev != self.head:
            self.problem(
                position,
                ticket,
                seq_no,
                "powiązanie z poprzednim zdarzeniem się nie zgadza (zdarzenie wstawiono, usunięto "
                "lub przestawiono)",
            )
        elif ev.chain_hash(str(prev), record) != digest:
            self.problem(position, ticket, seq_no, "treść nie zgadza się ze skrótem (zmieniona)")
        self._personal(position, ticket, seq_no, record)
        self.head = digest
        if self.anchor is not None and self._anchored(position, digest):
            self.anchor_position = position
        self._ticket(position, ticket, seq_no, record)

    def _anchored(self, position: int, digest: str) -> bool:
        assert self.anchor is not None
        if self.anchor.events is not None:
            if position != self.anchor.events:
                return False
            if digest != self.anchor.head:
                self.anchor_mismatch = digest
                return False
            return True
        return digest == self.anchor.head and self.anchor_position is None

    def _personal(
        self, position: int, ticket: str | None, seq: int | None, record: Mapping[str, Any]
    ) -> None:
        personal, digest = record.get(ev.PERSONAL), record.get(ev.PERSONAL_DIGEST)
        if personal is None:
            if digest:
                self.redacted += 1
            return
        if not digest:
            self.problem(position, ticket, seq, "dane osobowe bez skrótu personal_sha256 (poza łańcuchem)")
        elif not isinstance(personal, Mapping) or ev.personal_digest(personal) != digest:
            self.problem(position, ticket, seq, "dane osobowe nie zgadzają się ze skrótem personal_sha256")

    def _ticket(self, position: int, ticket: str | None, seq: int | None, record: Mapping[str, Any]) -> None:
        kind = record.get("type")
        if ticket is None or seq is None or not isinstance(kind, str) or not kind:
            self.problem(position, ticket, seq, "brak pola ticket, seq lub type")
            return
        try:
            no = int(ticket[2:]) if ticket.startswith("T-") and ticket[2:].isascii() else -1
        except ValueError:
            no = -1
        if no < 0:
            self.problem(position, ticket, seq, f"niepoprawny numer zgłoszenia '{ticket[:20]}'")
            return
        try:
            at = parse_at(record.get("at"))
        except BrokenRow as err:
            self.problem(position, ticket, seq, str(err))
            return
        state = self.tickets.setdefault(no, _Ticket())
        if seq != state.seq + 1:
            self.problem(position, ticket, seq, f"numer kolejny {seq} zamiast {state.seq + 1} w zgłoszeniu")
        state.seq = max(state.seq, seq)
        if state.latest is not None and at < state.latest - TIME_TOLERANCE:
            self.problem(
                position,
                ticket,
                seq,
                f"czas {record.get('at')} jest wcześniejszy niż poprzednie zdarzenie zgłoszenia "
                f"({state.latest.isoformat()}): zdarzenie dopisano z datą wsteczną",
            )
        state.latest = at if state.latest is None else max(state.latest, at)
        if no == ev.LOG_TICKET:
            if kind == ev.LOG_REANCHORED:
                self.reanchors.append({"position": position, **dict(record)})
            return
        if kind == ev.CREATED:
            state.office = record.get("office")
            state.component = record.get("component")
            state.author = record.get("actor")
        elif kind == ev.COMPONENT_CHANGED:
            state.component = record.get("component")
        elif kind == ev.ESCALATED and not state.view.escalated:
            state.contractor = record.get("contractor")
        try:
            ev.apply_event(state.view, record)
        except (ValueError, TypeError, KeyError) as err:
            self.problem(position, ticket, seq, f"zdarzenia nie da się zastosować: {err}")

    # --- at the end -----------------------------------------------------------------------
    def check_head(self, stored_head: str, stored_count: int) -> None:
        """The computed head must be the stored one (`log_head`)."""
        if stored_count != self.count:
            self.problem(
                0,
                None,
                None,
                f"dziennik ma {self.count} zdarzeń, a nagłówek łańcucha w bazie wskazuje {stored_count} "
                "(zdarzenia usunięto lub dopisano z pominięciem nagłówka)",
            )
        elif stored_head != self.head:
            self.problem(
                0,
                None,
                None,
                f"obliczony skrót ostatniego zdarzenia {self.head} różni się od zapisanego w bazie "
                f"{stored_head} (zmieniono ostatnie zdarzenia)",
            )

    def check_anchor(self) -> None:
        """The earlier head must be in the log (call after the last event)."""
        if self.anchor is None or self.anchor_position is not None:
            return
        legacy = [r for r in self.reanchors if r.get("legacy_head") == self.anchor.head]
        if legacy and (self.anchor.events is None or legacy[0].get("legacy_events") == self.anchor.events):
            self.anchor_position = int(legacy[0]["position"])
            return
        where = f" na pozycji {self.anchor.events}" if self.anchor.events is not None else ""
        if self.anchor_mismatch is not None:
            reason = (
                f"zdarzenie nr {self.anchor.events} ma skrót {self.anchor_mismatch}, a zapisany poza bazą "
                f"nagłówek {self.anchor.head}: dziennik przepisano od tego miejsca lub wcześniej"
            )
        elif self.anchor.events is not None and self.anchor.events > self.count:
            reason = (
                f"dziennik ma tylko {self.count} zdarzeń, a nagłówek zapisany poza bazą obejmował "
                f"{self.anchor.events}: zdarzenia usunięto"
            )
        else:
            reason = (
                f"nagłówka {self.anchor.head}{where} nie ma w dzienniku: dziennik przepisano albo "
                "nagłówek pochodzi z innej bazy"
            )
        self.problem(0, None, None, reason)

    def check_tickets(self, rows: Iterable[TicketFacts]) -> None:
        """Each ticket row's report and access columns must equal what its events say."""
        seen: set[int] = set()
        for row in rows:
            seen.add(row.no)
            tid = format_ticket_id(row.no)
            state = self.tickets.get(row.no)
            if state is None:
                self.problem(0, tid, None, "wiersz zgłoszenia bez żadnego zdarzenia w dzienniku")
                continue
            view = state.view
            expected: dict[str, tuple[Any, Any]] = {
                "office": (row.office, state.office),
                "author": (row.author_login, state.author),
                "component": (row.component, state.component),
                "state": (row.state, view.state.value),
                "escalated": (bool(row.escalated), view.escalated),
                "priority": (row.priority, view.priority or row.priority),
                "contract": (row.contract, view.contract),
                "contractor": (row.contractor, state.contractor),
                "last_seq": (row.last_seq, state.seq),
            }
            for name, (stored, computed) in expected.items():
                if stored != computed:
                    self.problem(
                        0,
                        tid,
                        None,
                        f"kolumna {name} wiersza zgłoszenia ma wartość {stored!r}, a ze zdarzeń wynika "
                        f"{computed!r}",
                    )
        for no in sorted(set(self.tickets) - seen - {ev.LOG_TICKET}):
            self.problem(
                0, format_ticket_id(no), None, "zdarzenia zgłoszenia, którego wiersza nie ma w bazie"
            )


def legacy_heads(records: Iterable[Mapping[str, Any]], positions: set[int]) -> dict[int, str | None]:
    """The hashes the log had, at `positions`, before personal content was kept apart.

    Events are hashed in their old flat form; None from the first event whose personal content is
    gone (the old form cannot be rebuilt from there on).
    """
    out: dict[int, str | None] = {}
    prev: str | None = ev.GENESIS_HASH
    last = max(positions, default=0)
    for position, record in enumerate(records, start=1):
        if position > last:
            break
        if prev is not None:
            flat = ev.legacy_record(record)
            prev = ev.chain_hash(prev, flat) if flat is not None else None
        if position in positions:
            out[position] = prev
    return out
