"""The seams between the use cases and the outside world: what services need, adapters provide.

- `Clock`: the only way a service learns the time.
- `Database[R]`: runs units of work; `fn` gets a repository of type `R` bound to one transaction.
  It is covariant in `R`, so the SQL database (whose repository, adapters/db/tx.py `Tx`, offers
  every area below) is a `Database[TicketsRepo]` for the ticket service, a
  `Database[OutboxRepo]` for the outbox service and so on: each service names only the areas it
  really uses, and tests hand it the in-memory fakes of tests/support/fakes.py instead.
- One repository protocol per area: tickets and their events, attachments, offices and people
  (with credentials), the outbox, inbound mail, the dialogue and Telegram updates, the knowledge
  base, and the SLA sweep and report.
- `EventListener`: what hears every event a use case appends (services/events.py), inside the
  transaction that appended it — the notifiers of services/notify/ are listeners.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NotRequired, Protocol, TypeAlias, TypedDict, TypeVar

from helpdesk.domain.office_terms import OfficeBook, OfficeTerms
from helpdesk.domain.offices import Office
from helpdesk.domain.people import Person
from helpdesk.domain.sla import TicketSla
from helpdesk.domain.throttle import Attempts

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
R_co = TypeVar("R_co", covariant=True)

Row: TypeAlias = dict[str, Any]
"""A stored row as a dict of its columns (outbox messages, raw mail, articles, questions)."""

EventRecord: TypeAlias = dict[str, Any]
"""One event as a flat JSON object: `ticket`, `seq`, `at`, `type`, `actor`, the event's own fields,
and `prev` / `hash` once stored (domain/events.py builds and hashes it)."""


class Ticket(TypedDict):
    """A ticket row: the projection of its events plus the deadlines the sweep needs."""

    no: int
    office: str
    author_id: int
    title: str
    description: str
    component: str | None
    priority: str
    state: str
    resume_state: str | None
    escalated: bool
    contract: str | None
    contractor: str | None
    assignee: str | None
    channel: str
    created_at: datetime
    updated_at: datetime
    escalated_at: datetime | None
    last_seq: int
    next_deadline: datetime | None
    first_line_due: datetime | None
    first_line_level: int
    system: str | None  # the partner's domain system the ticket is about (services/rollout/)
    breached: NotRequired[bool]  # in lists only: a contractor's clock of it ran out (sla_breached)


@dataclass(frozen=True)
class Credential:
    """A stored token, web session or Telegram link code (only its digest is kept)."""

    digest: str
    kind: str
    person_id: int
    created_at: datetime
    expires_at: datetime | None
    used_at: datetime | None
    last_used_at: datetime | None = None

    @property
    def short_id(self) -> str:
        """The id people name it by: the first characters of its digest (which reveal nothing)."""
        return self.digest[:12]


class Clock(Protocol):
    """The only way services learn the time."""

    def now(self) -> datetime:
        """Current aware datetime."""
        ...


class Database(Protocol[R_co]):
    """Runs units of work: `write` serialises appends, `read` is a snapshot."""

    def write(self, fn: Callable[[R_co], T]) -> T:
        """Run `fn` in a write transaction (committed if it returns, rolled back if it raises)."""
        ...

    def write_each(self, fns: Sequence[Callable[[R_co], T]]) -> list[T | Exception]:
        """`write` for each of `fns`, handed over together: each in its own unit of work (one
        failing never undoes another), its result or the exception it ended with, in order."""
        ...

    def read(self, fn: Callable[[R_co], T]) -> T:
        """Run `fn` in a read-only transaction."""
        ...

    def lookup(self, fn: Callable[[R_co], T]) -> T:
        """Run `fn`, a read of one statement, without a transaction around it (one round trip to a
        database server instead of three: the statement needs no snapshot beyond its own)."""
        ...

    def lookup_together(self, key: K, fn: Callable[[R_co, list[K]], Mapping[K, V]]) -> V | None:
        """`key`'s value in `fn(repo, keys)`, a `lookup` of many keys at once: the keys that
        concurrent callers ask the same `fn` for meanwhile are looked up in the same statement.

        For the reads every request makes (its credentials): under a burst one round trip serves
        several requests; alone, a caller waits for nobody. None when `fn` finds nothing for `key`.
        """
        ...


# --- tickets and their events -----------------------------------------------------------------
class TicketRepo(Protocol):
    """Tickets, their append-only events and the hash-chained log."""

    def new_ticket(
        self, fields: Mapping[str, Any], record_data: Mapping[str, Any], actor: str, at: datetime
    ) -> tuple[Ticket, EventRecord]:
        """Allocate a number, insert the ticket and its `created` event; return (ticket, record)."""
        ...

    def append(
        self, no: int, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> EventRecord:
        """Append one event to the ticket (next seq) and the chain; return the record."""
        ...

    def ticket(self, no: int, *, lock: bool = False) -> Ticket | None:
        """The ticket, or None; `lock` holds its row to the end of the transaction (PostgreSQL)."""
        ...

    def update_ticket(self, no: int, values: Mapping[str, Any]) -> None:
        """Update the projection columns of a ticket."""
        ...

    def events(self, no: int) -> list[EventRecord]:
        """All event records of one ticket, in seq order."""
        ...

    def office_overview(self) -> list[Row]:
        """Per office with open tickets: office, open, untaken, escalated, breached, oldest (the
        oldest open ticket's creation time) and load (assignee login → open tickets)."""
        ...

    def list_tickets(
        self, where: Mapping[str, Any], scope: Person, limit: int, offset: int, sort: str = "newest"
    ) -> tuple[list[Ticket], int]:
        """A page of tickets visible to `scope` matching `where`, newest first, and the total."""
        ...

    def iter_log(self, batch: int = 5000) -> Iterator[EventRecord]:
        """Every event of the whole log in chain order (export and verify)."""
        ...

    def head(self) -> tuple[str, int]:
        """(hash of the last event, number of events) — what reports cite."""
        ...


class AttachmentRepo(Protocol):
    """Files attached to tickets (by mail, by Telegram)."""

    def add_attachment(
        self, ticket_no: int, filename: str, content_type: str, data: bytes, at: datetime
    ) -> Row:
        """Store a file of a ticket; returns its `id`, `filename`, `size` and `sha256`."""
        ...

    def attachments_of(self, ticket_no: int) -> list[Row]:
        """The files of a ticket without their bytes."""
        ...

    def mail_attachments(self, ticket_no: int) -> list[Row]:
        """The files of a ticket with their bytes."""
        ...


# --- offices and people -----------------------------------------------------------------------
class DirectoryRepo(Protocol):
    """Looking offices and people up (what every notice needs to find its recipients)."""

    def get_office(self, code: str) -> Office | None:
        """The office with TERYT `code`, or None."""
        ...

    def office_for_notices(self, code: str, author_id: int, roles: tuple[str, ...]) -> Office | None:
        """`get_office`, asked by a change whose notices will then ask for the author (`person_by_id`)
        and the office's people of `roles` (`people_of_office`): a database may read all three in
        one round trip and answer those questions from what it read, within the transaction."""
        ...

    def offices_for_notices(self, wanted: Sequence[tuple[str, int]], roles: tuple[str, ...]) -> None:
        """What `office_for_notices` would read for each (office, author) pair, read ahead of the
        changes that will ask (a batch of new tickets): a database may read it all in one round trip."""
        ...

    def person_by_id(self, person_id: int) -> Person | None:
        """The person with `person_id`, or None."""
        ...

    def person_by(self, column: str, value: Any) -> Person | None:
        """The active person whose `column` (login, email, telegram_id) equals `value`."""
        ...

    def people_of_office(self, code: str, role: str | None = None) -> list[Person]:
        """Active people of an office, optionally of one role."""
        ...

    def people_by_role(self, role: str, contractor: str | None = None) -> list[Person]:
        """Active people of a role (agents optionally of one contractor)."""
        ...


class LogRepo(DirectoryRepo, Protocol):
    """Events of the hash-chained log that are about no ticket (office calendars, the log itself)."""

    def append_log(
        self, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> EventRecord:
        """Append one event of ticket `T-000000` (next seq) to the chain; return the record."""
        ...


class OfficeFileStore(Protocol):
    """The office calendar files of the SLA directory (adapters/files/office_calendar.py)."""

    def book(self) -> OfficeBook:
        """The office terms as the files say now."""
        ...

    def check(self, data: Mapping[str, Any]) -> OfficeTerms:
        """Validate an office's mapping as its file would hold it; InvalidInput names the field."""
        ...

    def write(self, code: str, data: Mapping[str, Any]) -> str:
        """Write the office's file (atomically) and return its text."""
        ...


class PeopleRepo(DirectoryRepo, Protocol):
    """The registry of offices and people, and their credentials."""

    def upsert_office(self, office: Office) -> bool:
        """Insert or update an office; True if it was new."""
        ...

    def list_offices(self) -> list[Office]:
        """Every office, by code."""
        ...

    def count_role_in_office(self, code: str, role: str) -> int:
        """How many active people of `role` the office has."""
        ...

    def list_people(self, office: str | None = None, role: str | None = None) -> list[tuple[Person, bool]]:
        """Every person, blocked ones too, by login (optionally of one office or role), each with
        whether they may use the help-desk."""
        ...

    def add_person(self, values: Mapping[str, Any]) -> Person:
        """Insert a person and return it."""
        ...

    def set_person(self, person_id: int, values: Mapping[str, Any]) -> None:
        """Update columns of a person (password hash, Telegram id, …)."""
        ...

    def password_hash(self, person_id: int) -> str | None:
        """The stored password hash of a person."""
        ...

    def add_credential(
        self, digest: str, kind: str, person_id: int, at: datetime, expires_at: datetime | None
    ) -> None:
        """Store the digest of a token, session or link code."""
        ...

    def credential(self, digest: str, kind: str) -> tuple[Person, Credential] | None:
        """(active person, credential) for a digest of `kind`, or None."""
        ...

    def use_credential(self, digest: str, at: datetime) -> None:
        """Mark a one-time credential as used."""
        ...

    def drop_credential(self, digest: str) -> None:
        """Forget a session or token."""
        ...


class TrustRepo(PeopleRepo, Protocol):
    """Credentials with their person in one look, throttles and the access log (every worker sees
    the same, at once)."""

    def active_credential(self, digest: str, kinds: tuple[str, ...]) -> tuple[Person, Credential] | None:
        """(person, credential) for a digest of one of `kinds` whose person is active, or None."""
        ...

    def active_credentials(
        self, digests: Sequence[str], kinds: tuple[str, ...]
    ) -> dict[str, tuple[Person, Credential]]:
        """`active_credential` for several digests in one statement: the ones found, by digest."""
        ...

    def touch_credential(self, digest: str, at: datetime) -> None:
        """Note that a credential let someone in at `at`."""
        ...

    def credentials_of(self, person_id: int, kinds: tuple[str, ...]) -> list[Credential]:
        """A person's credentials of `kinds`, oldest first."""
        ...

    def drop_credentials(
        self, person_id: int, kinds: tuple[str, ...], digests: list[str] | None = None
    ) -> int:
        """Delete a person's credentials of `kinds` (only `digests` when given); how many."""
        ...

    def any_person(self, login: str) -> Person | None:
        """The person with `login`, active or not."""
        ...

    def person_active(self, person_id: int) -> bool:
        """Whether the person may still use the help-desk."""
        ...

    def set_active(self, person_id: int, active: bool) -> None:
        """Enable or disable a person."""
        ...

    def throttle_get(self, scope: str, key: str, *, lock: bool = False) -> Attempts | None:
        """The failures of one key, or None; `lock` holds its row to the end of the transaction."""
        ...

    def throttle_put(self, scope: str, key: str, attempts: Attempts | None) -> None:
        """Store the failures of one key (None clears it)."""
        ...

    def access_record(self, values: Mapping[str, Any]) -> None:
        """Keep one entry of the access log."""
        ...

    def access_entries(self, since: datetime | None, until: datetime | None) -> list[Row]:
        """Entries of the access log in [since, until), oldest first."""
        ...

    def access_of_person(self, person_id: int) -> list[Row]:
        """The access log's entries of one reader."""
        ...


# --- outbox -----------------------------------------------------------------------------------
class OutboxWriter(Protocol):
    """Queueing a message in the transaction that caused it."""

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
        """Put a message in the outbox; False if `dedupe` was already used.

        `fresh`: the caller knows `dedupe` cannot have been used (it names an event appended in this
        very transaction and a recipient not yet queued for it), so the store need not wait to learn
        whether the row went in: it may send it with the transaction's next statement and answer True.
        """
        ...


class OutboxRepo(OutboxWriter, Protocol):
    """Delivering the outbox: claims with a lease, outcomes, retries."""

    def outbox_claim(self, channel: str, now: datetime, lease: timedelta, limit: int) -> list[Row]:
        """Due unsent messages of `channel` (headers decoded), leased until now + lease."""
        ...

    def outbox_done(self, message_id: int, now: datetime) -> None:
        """Mark a message sent."""
        ...

    def outbox_failed(self, message_id: int, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and schedule the next one."""
        ...

    def outbox_give_up(self, message_id: int, error: str, at: datetime) -> None:
        """Count a last failed attempt and stop trying (until someone asks for a retry)."""
        ...

    def outbox_retry(self, message_ids: list[int] | None, now: datetime) -> int:
        """Make given-up messages due again (all when `message_ids` is None); how many."""
        ...

    def outbox_pending(self, channel: str | None = None) -> int:
        """How many messages wait to be sent."""
        ...

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Unsent messages by (channel, "pending" | "given_up")."""
        ...

    def outbox_messages(
        self,
        channel: str | None = None,
        ticket_no: int | None = None,
        *,
        given_up: bool | None = None,
        unsent: bool = False,
        limit: int | None = None,
    ) -> list[Row]:
        """Messages (sent or not; only given-up or not; only unsent), oldest first."""
        ...


# --- inbound mail -----------------------------------------------------------------------------
class MailRepo(Protocol):
    """Raw inbound mail (kept before parsing), its outcome and its threading."""

    def mail_store_raw(self, values: Mapping[str, Any]) -> int:
        """Keep an inbound message exactly as received; return its id."""
        ...

    def mail_raw(self, raw_id: int, *, lock: bool = False) -> Row | None:
        """One stored raw message, or None."""
        ...

    def mail_mark(
        self,
        raw_id: int,
        status: str,
        ticket_no: int | None = None,
        note: str | None = None,
        *,
        only_if_new: bool = False,
    ) -> bool:
        """Record what became of a raw message (ticket, comment, ignored, error).

        With `only_if_new` the row changes only while its status is still `new`; False when another
        processing of the same message recorded its outcome first.
        """
        ...

    def mail_pending(self, limit: int = 100) -> list[int]:
        """Ids of raw messages stored but not processed yet, oldest first."""
        ...

    def mail_recent_count(self, sender: str, since: datetime, exclude_id: int | None = None) -> int:
        """How many messages `sender` sent since `since` (the rate limit)."""
        ...

    def mail_sender(
        self, raw_id: int, person_id: int | None, domain: str | None, authenticated: bool
    ) -> None:
        """Record who a message is from, as far as it could be told (the rate limits count these)."""
        ...

    def mail_recent_count_by(
        self, person_id: int | None, domain: str | None, since: datetime, exclude_id: int | None = None
    ) -> int:
        """How many messages one person (or one sending domain) sent us since `since`."""
        ...

    def mail_already_processed(self, message_id: str, exclude_id: int) -> bool:
        """True when another raw message with this Message-ID already became a ticket or comment."""
        ...

    def mail_thread_ticket(self, message_ids: list[str]) -> int | None:
        """The ticket a reply belongs to, from Message-IDs we sent or received for it."""
        ...

    def mail_ticket_origin(self, ticket_no: int) -> str | None:
        """The Message-ID of the mail that opened the ticket, if it came by mail."""
        ...

    def mail_raw_list(self, limit: int = 1000) -> list[Row]:
        """Stored raw messages without their bytes, oldest first."""
        ...


# --- conversations and Telegram updates -------------------------------------------------------
class DialogueRepo(Protocol):
    """Where each conversation of the dialogue stands (so a restart loses nothing)."""

    def dialogue_load(self, key: str) -> dict[str, Any]:
        """The stored state of a conversation ({} when new)."""
        ...

    def dialogue_save(self, key: str, data: Mapping[str, Any], now: datetime) -> None:
        """Store the state of a conversation (an empty state deletes it)."""
        ...


class TelegramRepo(Protocol):
    """Telegram updates processed exactly once (claimed by `update_id`)."""

    def tg_claim_update(self, update_id: int, now: datetime, owner: str = "") -> bool:
        """Claim an update; False if it was processed or another live worker has it."""
        ...

    def tg_claim_updates(self, update_ids: list[int], now: datetime, owner: str = "") -> set[int]:
        """Claim many updates at once; returns those claimed."""
        ...

    def tg_updates_done(self, update_ids: list[int], now: datetime) -> None:
        """Mark claimed updates as processed."""
        ...

    def tg_updates_seen(self) -> int:
        """How many updates were ever claimed."""
        ...

    def tg_store_updates(self, updates: list[tuple[int, str]], now: datetime, owner: str = "") -> set[int]:
        """Store webhook updates (update_id, payload) not seen before, claimed by `owner` when given;
        returns the ids stored now."""
        ...

    def tg_unprocessed(self, older_than: datetime, limit: int) -> list[tuple[int, str]]:
        """Stored webhook updates never processed whose last claim is older than `older_than`."""
        ...


class LeaseRepo(Protocol):
    """Leases: which process runs what must run exactly once (README "Production")."""

    def lease_take(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew a lease; False when another live holder has it."""
        ...

    def lease_release(self, name: str, holder: str, now: datetime) -> None:
        """Give a lease up at once."""
        ...

    def lease_holders(self, now: datetime) -> dict[str, tuple[str, datetime, bool]]:
        """Every lease: name → (holder, expires_at, held at `now`)."""
        ...


# --- knowledge base ---------------------------------------------------------------------------
class KbRepo(Protocol):
    """Articles with their version history, questions asked and their feedback."""

    def kb_articles(self, status: str = "published") -> list[Row]:
        """Current articles of a status, tags and questions decoded."""
        ...

    def kb_stamp(self) -> tuple[int, int, str, int]:
        """(article count, sum of versions, newest change, decided proposals): tells other processes
        the index is stale."""
        ...

    def kb_upsert(
        self,
        values: Mapping[str, Any],
        at: datetime,
        actor: str | None,
        status: str = "published",
        *,
        source_ticket: int | None = None,
        note: Mapping[str, Any] | None = None,
    ) -> str:
        """Insert or update one article, keeping every version; added | updated | unchanged."""
        ...

    def kb_rename(self, old_id: str, new_id: str) -> bool:
        """Give an article a new id with its history; False (nothing changed) if `new_id` is taken."""
        ...

    def kb_ids_like(self, base: str) -> set[str]:
        """Ids of articles that are `base` or start with `base-`."""
        ...

    def kb_article_of_ticket(self, ticket_no: int, *, lock: bool = False) -> Row | None:
        """The article drafted from ticket `ticket_no`, under whatever id it has now, or None."""
        ...

    def kb_article(self, article_id: str, *, lock: bool = False) -> Row | None:
        """One article of any status, or None."""
        ...

    def kb_history(self, article_id: str) -> list[Row]:
        """Every version of an article, oldest first."""
        ...

    def kb_record_query(self, values: Mapping[str, Any]) -> int:
        """Store one question and its answer; returns its id."""
        ...

    def kb_feedback(self, query_id: int, helpful: bool, person_id: int | None) -> bool:
        """Record 'did this help?'; False if the question is unknown or someone else's."""
        ...

    def kb_link_ticket(self, query_id: int, ticket_no: int) -> None:
        """Note that a question led to a ticket."""
        ...

    def kb_queries(self, since: datetime, until: datetime) -> list[Row]:
        """Questions asked in [since, until)."""
        ...

    def kb_tickets_of_people(
        self, person_ids: Collection[int], since: datetime, until: datetime
    ) -> list[Row]:
        """Tickets opened by `person_ids` in [since, until)."""
        ...

    def kb_query(self, query_id: int) -> Row | None:
        """One recorded question, or None."""
        ...

    def kb_queries_of_ticket(self, ticket_no: int) -> list[Row]:
        """The questions that ended in ticket `ticket_no`."""
        ...

    def kb_propose(self, values: Mapping[str, Any]) -> int | None:
        """Store a proposal learned from a ticket unless the same one exists; its id, or None."""
        ...

    def kb_proposals(self, status: str | None = None) -> list[Row]:
        """Proposals (of one status, or all), oldest first."""
        ...

    def kb_proposal(self, proposal_id: int, *, lock: bool = False) -> Row | None:
        """One proposal, or None."""
        ...

    def kb_decide_proposal(self, proposal_id: int, status: str, at: datetime, actor: str) -> bool:
        """Accept or reject a pending proposal; False if it was decided already."""
        ...


# --- SLA --------------------------------------------------------------------------------------
class SlaRepo(Protocol):
    """The sweep's claims over stored deadlines and the report's inputs."""

    def sla_anything_due(self, now: datetime) -> bool:
        """Does any ticket have a deadline or first-line alert at or before `now`?"""
        ...

    def claim_sla_due(self, now: datetime, limit: int) -> list[int]:
        """Claim up to `limit` tickets whose contractor deadline passed (skipping others' claims)."""
        ...

    def claim_first_line_due(self, now: datetime, limit: int) -> list[int]:
        """Claim up to `limit` tickets whose first-line (office) deadline passed."""
        ...

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
        """(ticket, clock events) of tickets with an `escalated` event in [start, end), by number
        (with `created`: of tickets opened in [start, end), for the first line's report)."""
        ...


# --- the rollout -----------------------------------------------------------------------------
class TrainingRepo(DirectoryRepo, Protocol):
    """Who completed which training (a ticket shows whether its office's leaders are trained)."""

    def attendance(self, logins: Collection[str] | None = None) -> list[Row]:
        """Completed trainings (of `logins`): login, completed_on, training id, kind, component."""
        ...


class RolloutRepo(PeopleRepo, TrainingRepo, Protocol):
    """Office profiles, milestones, trainings and domain systems, and the office-level events."""

    def append_office_event(
        self, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any]
    ) -> EventRecord:
        """Append an event about an office or a registry to the log's own ticket (`T-000000`)."""
        ...

    def office_events(self, office: str | None = None, limit: int = 200) -> list[EventRecord]:
        """The newest office-level events (of one office), newest first."""
        ...

    def office_profile(self, code: str) -> Row | None:
        """The profile row of an office, or None."""
        ...

    def office_profiles(self) -> dict[str, Row]:
        """Every stored profile by office code."""
        ...

    def put_office_profile(self, code: str, values: Mapping[str, Any]) -> None:
        """Insert or update an office's profile row."""
        ...

    def standins(self, code: str | None = None) -> dict[str, dict[str, str]]:
        """office → (login → stand-in's login)."""
        ...

    def set_standin(self, code: str, login: str, standin: str | None) -> None:
        """Name (or with None, remove) the stand-in of one of an office's people."""
        ...

    def milestones(self, office: str | None = None) -> list[Row]:
        """Milestones (of one office) with their `waits`, by office and id."""
        ...

    def milestone(self, office: str, kind: str) -> Row | None:
        """One milestone of an office with its `waits`, or None."""
        ...

    def put_milestone(self, office: str, kind: str, values: Mapping[str, Any]) -> int:
        """Insert or update one milestone; returns its id."""
        ...

    def add_wait(self, milestone_id: int, start: date, reason: str, note: str) -> int:
        """Record that a milestone waits on the office from `start`; returns the wait's id."""
        ...

    def end_wait(self, wait_id: int, end: date) -> None:
        """Close a waiting period."""
        ...

    def trainings(self) -> list[Row]:
        """Every training with its `participants` count, newest first."""
        ...

    def training(self, training_id: str) -> Row | None:
        """One training, or None."""
        ...

    def put_training(self, values: Mapping[str, Any]) -> bool:
        """Insert or update a training; True if it was new."""
        ...

    def attend(self, training_id: str, login: str, on: date) -> bool:
        """Record that `login` completed a training on `on`; False if it was recorded already."""
        ...

    def participants(self, training_id: str) -> list[Row]:
        """Who completed a training, and when."""
        ...

    def domain_systems(self) -> list[Row]:
        """Every registered domain system, by id."""
        ...

    def domain_system(self, system_id: str) -> Row | None:
        """One domain system, or None."""
        ...

    def put_domain_system(self, values: Mapping[str, Any]) -> bool:
        """Insert or update a domain system; True if it was new."""
        ...

    def tickets_per_system(self) -> dict[str, dict[str, int]]:
        """system → {"total", "open", "escalated"} over the tickets that name a system."""
        ...

    def articles_learned(self) -> dict[str, int]:
        """office → published KB articles drafted from that office's tickets."""
        ...

    def resolved_by(self, logins: Collection[str]) -> dict[str, int]:
        """login → tickets that person resolved without escalating them."""
        ...


# --- what writers of events work in -----------------------------------------------------------
class EventRepo(TicketRepo, AttachmentRepo, TrainingRepo, OutboxWriter, MailRepo, KbRepo, Protocol):
    """The repository of every transaction that appends events, and of a ticket's read.

    Events reach every listener in the transaction that appended them, so a writer of events
    offers what the listeners use: people to notify, the outbox, the mail thread of a ticket, and
    the knowledge base (an answer that points to an article proposes what the KB should learn).
    A ticket is read in one transaction with what its page shows beside it (its office's leaders'
    trainings).
    """


@dataclass(frozen=True)
class Change:
    """New events of one ticket, as every listener hears them."""

    ticket: Ticket
    """The ticket as it is after the events."""
    records: Sequence[EventRecord]
    at: datetime
    """When the change happened, in the people's time zone."""
    sla: TicketSla | None = None
    """The contractor's clocks at `at`, when the writer computed them (the SLA sweep does)."""


class EventListener(Protocol):
    """Hears new events inside their write transaction (the notifiers queue notices)."""

    def __call__(self, repo: EventRepo, change: Change) -> int:
        """React to a change; returns how many notices it queued."""
        ...


def first(items: Iterable[T]) -> T | None:
    """The first item or None."""
    return next(iter(items), None)
