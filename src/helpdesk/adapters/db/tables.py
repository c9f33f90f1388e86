"""The database schema as sqlmodel tables. Migrations (alembic) live beside it.

The `event` table is the append-only, hash-chained log; `ticket` is a projection of it plus the
deadlines the SLA sweep needs. `log_head` is the single row that serialises appends so the chain
never forks and ticket numbers are never lost or doubled.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class OfficeRow(SQLModel, table=True):
    """A partner office (JST)."""

    __tablename__ = "office"
    code: str = Field(primary_key=True, max_length=16)
    name: str
    type: str
    employees: int = 0
    components: str = ""  # ';'-separated component codes
    leaders_max: int = 3


class PersonRow(SQLModel, table=True):
    """A user: official, leader, representative, agent, coordinator, auditor or admin."""

    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, index=True, max_length=64)
    name: str
    role: str = Field(index=True)
    jst: str | None = Field(default=None, foreign_key="office.code", index=True)
    contractor: str | None = Field(default=None, index=True)
    email: str | None = Field(default=None, index=True)
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    password_hash: str | None = None
    active: bool = True
    created_at: datetime


class CredentialRow(SQLModel, table=True):
    """An API token or web session (only its SHA-256 is stored), or a one-time Telegram link code."""

    __tablename__ = "credential"
    digest: str = Field(primary_key=True, max_length=64)
    kind: str = Field(index=True)  # token | session | link
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime
    expires_at: datetime | None = None
    used_at: datetime | None = None
    last_used_at: datetime | None = None  # tokens and sessions: when they last let someone in (0008)


class LogHeadRow(SQLModel, table=True):
    """The single row that every append locks: chain head and the ticket number counter."""

    __tablename__ = "log_head"
    id: int = Field(default=1, primary_key=True)
    last_hash: str
    event_count: int = 0
    last_ticket_no: int = 0


class TicketRow(SQLModel, table=True):
    """Projection of a ticket's events plus what the queues and the sweep need."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_office_state", "office", "state"),
        # The region overview (migration 0011_web).
        Index("ix_ticket_state_office", "state", "office", "escalated", "assignee", "created_at"),
        # The contractor's queue and its count; covering for its order by the nearest deadline
        # (migration 0014_web2).
        Index("ix_ticket_contractor_deadline", "contractor", "state", "escalated", "next_deadline"),
    )
    no: int = Field(primary_key=True)
    office: str = Field(foreign_key="office.code")
    author_id: int = Field(foreign_key="person.id", index=True)
    title: str
    description: str = Field(sa_column=Column(Text, nullable=False))
    component: str | None = None
    priority: str = "normal"
    state: str = "new"  # indexed first in ix_ticket_state_office (0015_api)
    resume_state: str | None = None
    escalated: bool = Field(default=False, index=True)
    contract: str | None = None
    contractor: str | None = None  # indexed first in ix_ticket_contractor_deadline (0015_api)
    assignee: str | None = None
    channel: str = "api"
    created_at: datetime
    updated_at: datetime
    escalated_at: datetime | None = None
    last_seq: int = 0
    next_deadline: datetime | None = Field(default=None, index=True)
    first_line_due: datetime | None = Field(default=None, index=True)
    first_line_level: int = 0
    system: str | None = Field(default=None, index=True, max_length=64)  # a partner's domain system (0012)


class EventRow(SQLModel, table=True):
    """One event of the append-only log; never updated or deleted."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("ticket_no", "seq", name="uq_event_ticket_seq"),)
    id: int = Field(primary_key=True)  # position in the whole log, 1-based, assigned under the head lock
    ticket_no: int  # indexed first in uq_event_ticket_seq (0015_api)
    seq: int
    at: str  # ISO 8601 with offset, exactly as hashed
    at_utc: datetime = Field(index=True)
    type: str = Field(index=True)
    actor: str | None = None
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON of the other fields
    # JSON of the personal content with its salt (domain/events.py); NULL once removed (0008).
    personal: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    prev: str
    hash: str


class AttachmentRow(SQLModel, table=True):
    """A file attached to a ticket (mail attachment, Telegram photo or document)."""

    __tablename__ = "attachment"
    id: int | None = Field(default=None, primary_key=True)
    ticket_no: int = Field(index=True)
    filename: str
    content_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime


class OutboxRow(SQLModel, table=True):
    """A message to deliver (e-mail or Telegram), retried until sent or given up; `dedupe` prevents doubles."""

    __tablename__ = "outbox"
    # Every search of the outbox is for unsent messages: one index of those only (0015_api).
    __table_args__ = (
        Index(
            "ix_outbox_unsent",
            "channel",
            "next_attempt_at",
            "id",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel: str  # email | telegram
    recipient: str
    subject: str = ""
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    headers: str = "{}"
    ticket_no: int | None = Field(default=None, index=True)
    dedupe: str | None = Field(default=None, unique=True)
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None
    given_up_at: datetime | None = None  # refused for good or out of attempts; `helpdesk outbox retry`


class RawMailRow(SQLModel, table=True):
    """An inbound e-mail stored raw before it is parsed, so nothing is lost."""

    __tablename__ = "raw_mail"
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime
    source: str = "smtp"
    envelope_from: str = ""
    envelope_to: str = ""
    message_id: str | None = Field(default=None, index=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="new", index=True)  # new | ticket | comment | ignored | error
    ticket_no: int | None = None
    note: str | None = None
    # Who the mail was from, as far as it could be told (0008): the rate limits count by these.
    person_id: int | None = Field(default=None, index=True)
    sender_domain: str | None = Field(default=None, index=True, max_length=255)
    authenticated: bool | None = None


class ThrottleRow(SQLModel, table=True):
    """Failed attempts of one kind (login, address, link code) for one key, shared by every worker."""

    __tablename__ = "throttle"
    scope: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=255)
    failures: int = 0
    window_start: datetime
    blocked_until: datetime | None = None


class AccessLogRow(SQLModel, table=True):
    """A coordinator's or auditor's read of another office's ticket (kept for the auditors)."""

    __tablename__ = "access_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    person_id: int = Field(index=True)
    login: str = Field(max_length=64)
    role: str = Field(max_length=32)
    ticket_no: int = Field(index=True)
    office: str = Field(max_length=16)
    what: str = Field(max_length=64)  # which view: api ticket, page, attachment …


class TelegramUpdateRow(SQLModel, table=True):
    """Telegram updates claimed or processed (idempotency on update_id).

    `payload` is the update as Telegram sent it to the webhook, stored before the webhook answers
    200, so an update whose worker died before processing it is processed by another one.
    """

    __tablename__ = "telegram_update"
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    processed_at: datetime | None = None
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class LeaseRow(SQLModel, table=True):
    """A lease: which process runs something that must run exactly once (the singletons), until when.

    The holder renews it well before it expires; a holder that dies stops renewing, and another
    process takes the lease over once it has expired (helpdesk/leases.py).
    """

    __tablename__ = "lease"
    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    acquired_at: datetime
    expires_at: datetime


class KbArticleRow(SQLModel, table=True):
    """The current version of a knowledge-base article."""

    __tablename__ = "kb_article"
    id: str = Field(primary_key=True, max_length=128)
    title: str
    component: str
    tags: str = "[]"
    questions: str = "[]"
    body: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 1
    status: str = "published"  # published | draft | discarded
    updated_at: datetime
    updated_by: str | None = None
    # The ticket a draft was made of: kept when the draft is published under its final id (0006).
    source_ticket: int | None = Field(default=None, index=True, unique=True)


class KbArticleVersionRow(SQLModel, table=True):
    """Every version an article ever had (history of changes)."""

    __tablename__ = "kb_article_version"
    id: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(index=True, max_length=128)
    version: int
    data: str = Field(sa_column=Column(Text, nullable=False))
    changed_at: datetime
    changed_by: str | None = None


class KbQueryRow(SQLModel, table=True):
    """A question put to the knowledge base, its answer and the feedback on it."""

    __tablename__ = "kb_query"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    person_id: int | None = Field(default=None, index=True)
    office: str | None = Field(default=None, index=True)
    channel: str = "api"
    text: str = Field(sa_column=Column(Text, nullable=False))
    answered: bool = False
    article_id: str | None = Field(default=None, index=True)
    component: str | None = None
    score: float = 0.0
    helpful: bool | None = None
    ticket_no: int | None = None


class KbProposalRow(SQLModel, table=True):
    """A change to the knowledge base's matching learned from a ticket, waiting for a coordinator.

    `phrasing`: a question the bot could not answer, whose ticket a leader answered with this
    article — accepted, it matches like the article's own phrasings. `counter_example`: a question
    answered with this article that the official marked "Nie pomogło" — accepted, the article is
    no longer answered for it. Who proposed and who decided, and when, stay on the row (0009).
    """

    __tablename__ = "kb_proposal"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # phrasing | counter_example
    article_id: str = Field(index=True, max_length=128)
    text: str = Field(sa_column=Column(Text, nullable=False))
    query_id: int | None = Field(default=None, index=True)
    ticket_no: int | None = None
    office: str | None = Field(default=None, max_length=16)
    status: str = Field(default="pending", index=True, max_length=16)  # pending | accepted | rejected
    proposed_at: datetime
    proposed_by: str | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None


# --- the rollout (0012): office profiles, milestones, trainings, partners' domain systems ---------
class OfficeProfileRow(SQLModel, table=True):
    """What an office's profile adds to the registry row: computerisation, needs, notes."""

    __tablename__ = "office_profile"
    office: str = Field(primary_key=True, foreign_key="office.code", max_length=16)
    computerisation: str | None = Field(default=None, max_length=32)
    previous_system: str | None = Field(default=None, max_length=200)
    workstations: int | None = None
    needs: str = ""  # ';'-separated need codes (domain/rollout.py NEEDS_PL)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime
    updated_by: str | None = Field(default=None, max_length=64)


class OfficeStandinRow(SQLModel, table=True):
    """Who stands in for an office's representative or leader."""

    __tablename__ = "office_standin"
    office: str = Field(primary_key=True, foreign_key="office.code", max_length=16)
    login: str = Field(primary_key=True, max_length=64)
    standin: str = Field(max_length=64)


class MilestoneRow(SQLModel, table=True):
    """One step of an office's rollout plan with its planned and actual dates."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("office", "kind", name="uq_milestone_office_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(foreign_key="office.code", index=True, max_length=16)
    kind: str = Field(max_length=80)
    planned: date | None = None
    done: date | None = None
    office_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime


class MilestoneWaitRow(SQLModel, table=True):
    """A period a milestone waited on the office (end NULL: still waiting)."""

    __tablename__ = "milestone_wait"
    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True)
    start: date
    end: date | None = None
    reason: str = Field(max_length=32)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class TrainingRow(SQLModel, table=True):
    """A training: an e-learning module, an on-the-job instruction or a presentation."""

    __tablename__ = "training"
    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32)
    component: str = Field(max_length=32)
    held_on: date
    title: str = Field(max_length=200)
    office: str | None = Field(default=None, max_length=16)  # None: for the whole region


class TrainingAttendanceRow(SQLModel, table=True):
    """Who completed a training, and when."""

    __tablename__ = "training_attendance"
    training_id: str = Field(primary_key=True, foreign_key="training.id", max_length=64)
    login: str = Field(primary_key=True, index=True, max_length=64)
    completed_on: date


class DomainSystemRow(SQLModel, table=True):
    """A partner's domain system: supplier, offices, supporter and contract, bus services."""

    __tablename__ = "domain_system"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    supplier: str = Field(max_length=200)
    supporter: str = Field(max_length=200)
    contract: str | None = Field(default=None, max_length=128)
    offices: str = ""  # ';'-separated office codes
    bus_services: str = ""  # ';'-separated names of ESB services
