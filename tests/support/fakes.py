"""In-memory fakes of the ports (services/ports.py), so service tests run without a database.

`FakeDatabase` is a `Database[FakeRepo]`: `write` runs the unit of work on the one in-memory
repository and, like a transaction, undoes everything it did when it raises (a deep copy is taken
before); `commits` counts the units that committed. `FakeRepo` implements the areas the ticket,
SLA, notice, outbox, people and dialogue services use — tickets and events (with the real hash
chain of domain/events.py), attachments, offices and people with credentials, the outbox with
once-only keys, inbound mail, dialogue states and the sweep's claims. The knowledge base and
Telegram update claims are not faked: their services are tested against SQLite.

tests/unit/test_fakes.py checks that every method of those protocols exists here with the same
parameters, so a port that changes cannot leave its fake behind.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from helpdesk.domain.events import CREATED, ESCALATED, GENESIS_HASH, chain_hash, make_record
from helpdesk.domain.offices import Office
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.ports import Credential, EventRecord, Row, Ticket

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

_NEW_TICKET: dict[str, Any] = {
    "component": None,
    "priority": "normal",
    "state": "new",
    "resume_state": None,
    "escalated": False,
    "contract": None,
    "contractor": None,
    "assignee": None,
    "channel": "api",
    "escalated_at": None,
    "next_deadline": None,
    "first_line_due": None,
    "first_line_level": 0,
}


class FakeRepo:
    """Every faked repository area over plain Python lists and dicts (see the module docstring)."""

    def __init__(self) -> None:
        self.offices: dict[str, Office] = {}
        self.people: dict[int, Person] = {}
        self.inactive: set[int] = set()
        self.passwords: dict[int, str] = {}
        self.credentials: dict[str, Credential] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.log: list[EventRecord] = []
        self.attachments: list[Row] = []
        self.outbox: list[Row] = []
        self.raw_mail: list[Row] = []
        self.dialogues: dict[str, dict[str, Any]] = {}

    # --- tickets and events ---------------------------------------------------------------
    def _record(
        self, no: int, seq: int, type_: str, actor: str | None, at: datetime, data: Any
    ) -> EventRecord:
        record = make_record(format_ticket_id(no), seq, at, type_, actor, data)
        prev = self.log[-1]["hash"] if self.log else GENESIS_HASH
        record["prev"], record["hash"] = prev, chain_hash(prev, record)
        self.log.append(record)
        return dict(record)

    def new_ticket(
        self, fields: Mapping[str, Any], record_data: Mapping[str, Any], actor: str, at: datetime
    ) -> tuple[Ticket, EventRecord]:
        no = max(self.tickets, default=0) + 1
        row = {**_NEW_TICKET, "no": no, "created_at": at, "updated_at": at, "last_seq": 1, **fields}
        self.tickets[no] = row
        return dict(row), self._record(no, 1, CREATED, actor, at, record_data)  # type: ignore[return-value]

    def append(
        self, no: int, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> EventRecord:
        row = self.tickets[no]
        row["last_seq"] += 1
        row["updated_at"] = at
        return self._record(no, row["last_seq"], type_, actor, at, data)

    def ticket(self, no: int, *, lock: bool = False) -> Ticket | None:
        row = self.tickets.get(no)
        return dict(row) if row is not None else None  # type: ignore[return-value]

    def update_ticket(self, no: int, values: Mapping[str, Any]) -> None:
        self.tickets[no].update(values)

    def events(self, no: int) -> list[EventRecord]:
        ticket = format_ticket_id(no)
        return [dict(r) for r in self.log if r["ticket"] == ticket]

    def office_overview(self) -> list[Row]:
        breached = {r["ticket"] for r in self.log if r["type"] == "sla_breached"}
        out: dict[str, Row] = {}
        for row in self.tickets.values():
            if row["state"] in ("resolved", "closed"):
                continue
            o = out.setdefault(
                row["office"],
                {"office": row["office"], "open": 0, "untaken": 0, "escalated": 0, "breached": 0,
                 "oldest": row["created_at"], "load": {}},
            )  # fmt: skip
            o["open"] += 1
            o["untaken"] += row["assignee"] is None and row["state"] in ("new", "reopened")
            o["escalated"] += bool(row["escalated"])
            o["breached"] += format_ticket_id(row["no"]) in breached
            o["oldest"] = min(o["oldest"], row["created_at"])
            if row["assignee"]:
                o["load"][row["assignee"]] = o["load"].get(row["assignee"], 0) + 1
        return [out[k] for k in sorted(out)]

    def list_tickets(
        self, where: Mapping[str, Any], scope: Person, limit: int, offset: int, sort: str = "newest"
    ) -> tuple[list[Ticket], int]:
        def visible(row: Mapping[str, Any]) -> bool:
            if scope.role is Role.OFFICIAL:
                return bool(row["author_id"] == scope.id)
            if scope.role in (Role.LEADER, Role.REPRESENTATIVE):
                return bool(row["office"] == scope.jst)
            if scope.role is Role.AGENT:
                return bool(row["contractor"] == scope.contractor)
            return scope.role in SEE_ALL_ROLES

        breached = {r["ticket"] for r in self.log if r["type"] == "sla_breached"}

        def one(row: Mapping[str, Any], key: str, value: Any) -> bool:
            if key == "q":
                text, number = value
                found = text.lower() in (row["title"] + " " + row["description"]).lower()
                return found or row["no"] == number
            if key == "breached":
                return (format_ticket_id(row["no"]) in breached) is value
            return row[key] in value if isinstance(value, list | tuple) else row[key] == value

        def matches(row: Mapping[str, Any]) -> bool:
            return all(one(row, k, v) for k, v in where.items())

        rows = [dict(r) for no, r in sorted(self.tickets.items(), reverse=True) if visible(r) and matches(r)]
        return rows[offset : offset + limit], len(rows)  # type: ignore[return-value]

    def iter_log(self, batch: int = 5000) -> Iterator[EventRecord]:
        yield from (dict(r) for r in self.log)

    def head(self) -> tuple[str, int]:
        return (self.log[-1]["hash"], len(self.log)) if self.log else (GENESIS_HASH, 0)

    # --- attachments ----------------------------------------------------------------------
    def add_attachment(
        self, ticket_no: int, filename: str, content_type: str, data: bytes, at: datetime
    ) -> Row:
        row = {
            "id": len(self.attachments) + 1,
            "ticket_no": ticket_no,
            "filename": filename[:255],
            "content_type": content_type[:128],
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": data,
            "created_at": at,
        }
        self.attachments.append(row)
        return {k: row[k] for k in ("id", "filename", "size", "sha256")}

    def attachments_of(self, ticket_no: int) -> list[Row]:
        return [
            {k: v for k, v in a.items() if k not in ("data", "ticket_no", "created_at")}
            for a in self.attachments
            if a["ticket_no"] == ticket_no
        ]

    def mail_attachments(self, ticket_no: int) -> list[Row]:
        return [dict(a) for a in self.attachments if a["ticket_no"] == ticket_no]

    # --- offices and people ---------------------------------------------------------------
    def _active(self) -> list[Person]:
        return [p for pid, p in sorted(self.people.items()) if pid not in self.inactive]

    def get_office(self, code: str) -> Office | None:
        return self.offices.get(code)

    def office_for_notices(self, code: str, author_id: int, roles: tuple[str, ...]) -> Office | None:
        return self.get_office(code)

    def offices_for_notices(self, wanted: Sequence[tuple[str, int]], roles: tuple[str, ...]) -> None:
        return None

    def person_by_id(self, person_id: int) -> Person | None:
        return self.people.get(person_id)

    def person_by(self, column: str, value: Any) -> Person | None:
        if column not in ("login", "email", "telegram_id"):
            raise ValueError(f"person_by: unknown column {column!r}")
        wanted = str(value).lower() if column in ("login", "email") else value
        for person in self._active():
            have = getattr(person, column)
            if (str(have).lower() if column in ("login", "email") and have else have) == wanted:
                return person
        return None

    def people_of_office(self, code: str, role: str | None = None) -> list[Person]:
        return [p for p in self._active() if p.jst == code and (role is None or p.role.value == role)]

    def people_by_role(self, role: str, contractor: str | None = None) -> list[Person]:
        return [
            p
            for p in self._active()
            if p.role.value == role and (not contractor or p.contractor == contractor)
        ]

    def upsert_office(self, office: Office) -> bool:
        new = office.code not in self.offices
        self.offices[office.code] = office
        return new

    def list_offices(self) -> list[Office]:
        return [self.offices[code] for code in sorted(self.offices)]

    def count_role_in_office(self, code: str, role: str) -> int:
        return len(self.people_of_office(code, role))

    def list_people(self, office: str | None = None, role: str | None = None) -> list[tuple[Person, bool]]:
        found = [
            p
            for p in self.people.values()
            if (office is None or p.jst == office) and (role is None or p.role.value == role)
        ]
        return [(p, p.id not in self.inactive) for p in sorted(found, key=lambda p: p.login)]

    def add_person(self, values: Mapping[str, Any]) -> Person:
        person_id = max(self.people, default=0) + 1
        person = Person(
            id=person_id,
            login=values["login"],
            name=values["name"],
            role=Role(values["role"]),
            jst=values.get("jst"),
            contractor=values.get("contractor"),
            email=values.get("email"),
            telegram_id=values.get("telegram_id"),
        )
        self.people[person_id] = person
        if not values.get("active", True):
            self.inactive.add(person_id)
        return person

    def set_person(self, person_id: int, values: Mapping[str, Any]) -> None:
        changes = dict(values)
        if "password_hash" in changes:
            self.passwords[person_id] = changes.pop("password_hash")
        if "active" in changes:
            (self.inactive.discard if changes.pop("active") else self.inactive.add)(person_id)
        fields = {k: v for k, v in changes.items() if k in Person.__dataclass_fields__}
        self.people[person_id] = Person(**{**self.people[person_id].__dict__, **fields})

    def password_hash(self, person_id: int) -> str | None:
        return self.passwords.get(person_id)

    def add_credential(
        self, digest: str, kind: str, person_id: int, at: datetime, expires_at: datetime | None
    ) -> None:
        self.credentials[digest] = Credential(digest, kind, person_id, at, expires_at, None)

    def credential(self, digest: str, kind: str) -> tuple[Person, Credential] | None:
        found = self.credentials.get(digest)
        if found is None or found.kind != kind or found.person_id not in self.people:
            return None
        return self.people[found.person_id], found

    def use_credential(self, digest: str, at: datetime) -> None:
        found = self.credentials[digest]
        self.credentials[digest] = Credential(**{**found.__dict__, "used_at": at})

    def drop_credential(self, digest: str) -> None:
        self.credentials.pop(digest, None)

    # --- outbox ---------------------------------------------------------------------------
    def enqueue(
        self,
        channel: str,
        recipient: str,
        subject: str,
        body: str,
        *,
        at: datetime,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
        ticket_no: int | None = None,
        dedupe: str | None = None,
        fresh: bool = False,
    ) -> bool:
        if dedupe is not None and any(m["dedupe"] == dedupe for m in self.outbox):
            return False
        self.outbox.append(
            {
                "id": len(self.outbox) + 1,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "html": html,
                "headers": dict(headers or {}),
                "ticket_no": ticket_no,
                "dedupe": dedupe,
                "created_at": at,
                "next_attempt_at": at,
                "attempts": 0,
                "last_error": None,
                "sent_at": None,
                "given_up_at": None,
            }
        )
        return True

    def _message(self, message_id: int) -> Row:
        return next(m for m in self.outbox if m["id"] == message_id)

    def outbox_claim(self, channel: str, now: datetime, lease: timedelta, limit: int) -> list[Row]:
        due = [
            m
            for m in self.outbox
            if m["channel"] == channel
            and m["sent_at"] is None
            and m["given_up_at"] is None
            and m["next_attempt_at"] <= now
        ]
        due = sorted(due, key=lambda m: (m["next_attempt_at"], m["id"]))[:limit]
        for message in due:
            message["next_attempt_at"] = now + lease
        return [copy.deepcopy(m) for m in due]

    def outbox_done(self, message_id: int, now: datetime) -> None:
        self._message(message_id).update(sent_at=now, last_error=None)

    def outbox_failed(self, message_id: int, error: str, retry_at: datetime) -> None:
        message = self._message(message_id)
        message.update(attempts=message["attempts"] + 1, last_error=error[:1000], next_attempt_at=retry_at)

    def outbox_give_up(self, message_id: int, error: str, at: datetime) -> None:
        message = self._message(message_id)
        message.update(attempts=message["attempts"] + 1, last_error=error[:1000], given_up_at=at)

    def outbox_retry(self, message_ids: list[int] | None, now: datetime) -> int:
        chosen = [
            m
            for m in self.outbox
            if m["sent_at"] is None
            and m["given_up_at"] is not None
            and (message_ids is None or m["id"] in message_ids)
        ]
        for message in chosen:
            message.update(given_up_at=None, attempts=0, next_attempt_at=now)
        return len(chosen)

    def outbox_pending(self, channel: str | None = None) -> int:
        return sum(
            1
            for m in self.outbox
            if m["sent_at"] is None and m["given_up_at"] is None and (not channel or m["channel"] == channel)
        )

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for m in self.outbox:
            if m["sent_at"] is None:
                key = (m["channel"], "given_up" if m["given_up_at"] is not None else "pending")
                counts[key] = counts.get(key, 0) + 1
        return counts

    def outbox_messages(
        self,
        channel: str | None = None,
        ticket_no: int | None = None,
        *,
        given_up: bool | None = None,
        unsent: bool = False,
        limit: int | None = None,
    ) -> list[Row]:
        out = [
            copy.deepcopy(m)
            for m in self.outbox
            if (not channel or m["channel"] == channel)
            and (ticket_no is None or m["ticket_no"] == ticket_no)
            and (given_up is None or (m["given_up_at"] is not None) == given_up)
            and (not unsent or m["sent_at"] is None)
        ]
        return out[:limit] if limit is not None else out

    # --- inbound mail ---------------------------------------------------------------------
    def mail_store_raw(self, values: Mapping[str, Any]) -> int:
        raw_id = len(self.raw_mail) + 1
        self.raw_mail.append({"ticket_no": None, "note": None, **values, "id": raw_id})
        return raw_id

    def mail_raw(self, raw_id: int, *, lock: bool = False) -> Row | None:
        return next((dict(r) for r in self.raw_mail if r["id"] == raw_id), None)

    def mail_mark(
        self,
        raw_id: int,
        status: str,
        ticket_no: int | None = None,
        note: str | None = None,
        *,
        only_if_new: bool = False,
    ) -> bool:
        row = next(r for r in self.raw_mail if r["id"] == raw_id)
        if only_if_new and row["status"] != "new":
            return False
        row.update(status=status, ticket_no=ticket_no, note=(note or None) and note[:1000])
        return True

    def mail_pending(self, limit: int = 100) -> list[int]:
        return [r["id"] for r in self.raw_mail if r["status"] == "new"][:limit]

    def mail_recent_count(self, sender: str, since: datetime, exclude_id: int | None = None) -> int:
        return sum(
            1
            for r in self.raw_mail
            if r["envelope_from"].lower() == sender.lower()
            and r["received_at"] >= since
            and r["id"] != exclude_id
        )

    def mail_sender(
        self, raw_id: int, person_id: int | None, domain: str | None, authenticated: bool
    ) -> None:
        row = next(r for r in self.raw_mail if r["id"] == raw_id)
        row.update(person_id=person_id, sender_domain=domain, authenticated=authenticated)

    def mail_recent_count_by(
        self, person_id: int | None, domain: str | None, since: datetime, exclude_id: int | None = None
    ) -> int:
        return sum(
            1
            for r in self.raw_mail
            if (person_id is None or r.get("person_id") == person_id)
            and (domain is None or r.get("sender_domain") == domain)
            and r["received_at"] >= since
            and r["id"] != exclude_id
        )

    def mail_already_processed(self, message_id: str, exclude_id: int) -> bool:
        return any(
            r["message_id"] == message_id and r["id"] != exclude_id and r["status"] in ("ticket", "comment")
            for r in self.raw_mail
        )

    def mail_thread_ticket(self, message_ids: list[str]) -> int | None:
        for mid in message_ids:
            for r in self.raw_mail:
                if r["message_id"] == mid and r["ticket_no"] is not None:
                    return int(r["ticket_no"])
            for m in self.outbox:
                if m["channel"] == "email" and m["ticket_no"] is not None and mid in m["headers"].values():
                    return int(m["ticket_no"])
        return None

    def mail_ticket_origin(self, ticket_no: int) -> str | None:
        for r in self.raw_mail:
            if r["ticket_no"] == ticket_no and r["status"] == "ticket":
                return str(r["message_id"]) if r["message_id"] else None
        return None

    def mail_raw_list(self, limit: int = 1000) -> list[Row]:
        return [{k: v for k, v in r.items() if k != "data"} for r in self.raw_mail[:limit]]

    # --- dialogue -------------------------------------------------------------------------
    def dialogue_load(self, key: str) -> dict[str, Any]:
        return copy.deepcopy(self.dialogues.get(key, {}))

    def dialogue_save(self, key: str, data: Mapping[str, Any], now: datetime) -> None:
        if data:
            self.dialogues[key] = copy.deepcopy(dict(data))
        else:
            self.dialogues.pop(key, None)

    # --- the sweep's claims ---------------------------------------------------------------
    def sla_anything_due(self, now: datetime) -> bool:
        return any(
            (r["next_deadline"] is not None and r["next_deadline"] <= now)
            or (r["first_line_due"] is not None and r["first_line_due"] <= now)
            for r in self.tickets.values()
        )

    def _claim(self, column: str, now: datetime, limit: int) -> list[int]:
        due = [
            (r[column], no) for no, r in self.tickets.items() if r[column] is not None and r[column] <= now
        ]
        return [no for _, no in sorted(due)[:limit]]

    def claim_sla_due(self, now: datetime, limit: int) -> list[int]:
        return self._claim("next_deadline", now, limit)

    def claim_first_line_due(self, now: datetime, limit: int) -> list[int]:
        return self._claim("first_line_due", now, limit)

    def sla_report_inputs(
        self,
        start: datetime,
        end: datetime,
        *,
        contract: str | None = None,
        office: str | None = None,
        contractor: str | None = None,
        batch: int = 20_000,
        created: bool = False,
    ) -> Iterator[tuple[Row, list[EventRecord]]]:
        for no, row in sorted(self.tickets.items()):
            events = self.events(no)
            kind = CREATED if created else ESCALATED
            escalated = [
                e for e in events if e["type"] == kind and start <= datetime.fromisoformat(e["at"]) < end
            ]
            wanted = {"contract": contract, "office": office, "contractor": contractor}
            if escalated and all(v is None or row[k] == v for k, v in wanted.items()):
                yield {k: row[k] for k in ("no", "office", "component", "contractor")}, events


class FakeDatabase:
    """A `Database[FakeRepo]`: units of work on one in-memory repository, undone when they raise."""

    def __init__(self, repo: FakeRepo | None = None) -> None:
        self.repo = repo or FakeRepo()
        self.commits = 0

    def write(self, fn: Callable[[FakeRepo], T]) -> T:
        saved = copy.deepcopy(self.repo.__dict__)
        try:
            result = fn(self.repo)
        except BaseException:
            self.repo.__dict__.update(saved)
            raise
        self.commits += 1
        return result

    def write_each(self, fns: Sequence[Callable[[FakeRepo], T]]) -> list[T | Exception]:
        out: list[T | Exception] = []
        for fn in fns:
            try:
                out.append(self.write(fn))
            except Exception as err:
                out.append(err)
        return out

    def read(self, fn: Callable[[FakeRepo], T]) -> T:
        return fn(self.repo)

    def lookup(self, fn: Callable[[FakeRepo], T]) -> T:
        return fn(self.repo)

    def lookup_together(self, key: K, fn: Callable[[FakeRepo, list[K]], Mapping[K, V]]) -> V | None:
        return fn(self.repo, [key]).get(key)


def add_people(
    db: FakeDatabase, offices: Collection[Office], people: Collection[Mapping[str, Any]]
) -> dict[str, Person]:
    """Offices and people in one go (`people`: add_person values); returns them by login."""

    def _do(repo: FakeRepo) -> dict[str, Person]:
        for office in offices:
            repo.upsert_office(office)
        return {p["login"]: repo.add_person({"name": f"Osoba {p['login']}", **p}) for p in people}

    return db.write(_do)
