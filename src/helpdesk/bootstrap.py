"""The composition root: builds the adapters and services once from the settings and wires them.

Every entry point (the CLI, `helpdesk serve`, the web app, the tests) gets one `Container`. The
channels are wired here, explicitly: e-mail always (its listeners put notices in the outbox even
when only the CLI changes a ticket; its listener and poller exist when their settings are set),
Telegram when HELPDESK_TELEGRAM_TOKEN is set. Nothing starts here: what runs in the background of
`helpdesk serve` is started and stopped by helpdesk/lifecycle.py.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from helpdesk.adapters.clock import SystemClock
from helpdesk.adapters.db.engine import make_engine
from helpdesk.adapters.db.migrate import schema_state, upgrade
from helpdesk.adapters.db.store import SqlDatabase
from helpdesk.adapters.email.auth import MailAuthenticator
from helpdesk.adapters.email.imap import ImapPoller, parse_imap_url
from helpdesk.adapters.email.parser import ParsedMail, parse_mail
from helpdesk.adapters.email.sender import MailSender
from helpdesk.adapters.email.smtp import SmtpGateway
from helpdesk.adapters.files.checkpoints import CheckpointFile
from helpdesk.adapters.files.contracts import contractors
from helpdesk.adapters.files.office_calendar import OfficeFiles, office_calendar
from helpdesk.adapters.morph import morfeusz
from helpdesk.adapters.telegram.texts import load_texts
from helpdesk.domain.contracts import Contract
from helpdesk.domain.errors import Unavailable
from helpdesk.domain.throttle import Limit
from helpdesk.services.access_log import AccessLog
from helpdesk.services.audit import AuditCheckpoints
from helpdesk.services.events import EventRecorder
from helpdesk.services.intake.dialogue import DialogueService
from helpdesk.services.intake.mail import MailIntake, MailLimits, intake_listener
from helpdesk.services.kb.answers import KbService
from helpdesk.services.kb.drafts import KbDrafts
from helpdesk.services.kb.insights import KbInsights
from helpdesk.services.kb.proposals import KbProposals, learn_from_tickets
from helpdesk.services.notify.mail import MailNotifier
from helpdesk.services.notify.outbox import OutboxService
from helpdesk.services.office_calendars import OfficeCalendars
from helpdesk.services.password_reset import PasswordReset
from helpdesk.services.people import PeopleService, Throttles
from helpdesk.services.ports import Clock, EventListener
from helpdesk.services.retention import Retention
from helpdesk.services.rollout.service import RolloutService, describe_calendar
from helpdesk.services.sla.live import LiveSla
from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.texts import Texts
from helpdesk.services.tickets import TicketService
from helpdesk.settings import Settings, SettingsError, auditor_addresses

if TYPE_CHECKING:  # python-telegram-bot is imported only when a token is configured
    from helpdesk.adapters.telegram.bot import TelegramBot
    from helpdesk.adapters.telegram.sender import OutboxSender

log = logging.getLogger(__name__)


@dataclass
class MailChannel:
    """The e-mail channel: mail in (SMTP gateway, IMAP poller) and outbox mail out (relay)."""

    intake: MailIntake
    gateway: SmtpGateway | None  # HELPDESK_SMTP_LISTEN; None when empty
    imap: ImapPoller | None  # HELPDESK_IMAP_URL; None when empty
    sender: MailSender | None  # HELPDESK_SMTP_RELAY; None keeps mail in the outbox


@dataclass
class TelegramChannel:
    """The Telegram channel: the bot, its conversation and the sender of its outbox."""

    texts: Texts
    dialogue: DialogueService
    bot: TelegramBot
    sender: OutboxSender


@dataclass
class TrustParts:
    """What keeps the records trustworthy: checkpoints of the log, the access log, retention."""

    checkpoints: AuditCheckpoints  # the head recorded outside the database (file, mail)
    access_log: AccessLog  # coordinators', auditors' and admins' reads of tickets
    retention: Retention  # personal data of tickets closed long ago removed


@dataclass
class Container:
    """Everything the entry points (CLI, web, bot, mail) need, built once."""

    settings: Settings
    db: SqlDatabase
    clock: Clock
    contracts: dict[str, Contract]
    people: PeopleService
    tickets: TicketService
    executor: ThreadPoolExecutor
    outbox: OutboxService
    sla: LiveSla
    office_calendars: OfficeCalendars  # office calendars and first-line targets (files + log)
    sla_sweep: SlaSweep
    kb: KbService
    kb_insights: KbInsights  # deflection, unanswered questions, drafts from tickets
    kb_drafts: KbDrafts  # review and publishing of drafts
    kb_proposals: KbProposals  # phrasings and counter-examples learned from tickets
    mail: MailChannel
    telegram: TelegramChannel | None  # None without HELPDESK_TELEGRAM_TOKEN
    dialogue: DialogueService  # the bot's conversation on the web page "Zapytaj" (its own texts)
    trust: TrustParts
    rollout: RolloutService  # office profiles, the plan, trainings, partners' domain systems
    password_reset: PasswordReset  # "Nie pamiętasz hasła?": a one-time link by e-mail

    def migrate(self) -> None:
        """Create or upgrade the schema and the chain head."""
        upgrade(self.db.engine)
        self.db.ensure_head()

    def schema_state(self) -> tuple[str | None, str | None]:
        """(revision the database is at, newest revision of the code); Unavailable when it does not answer."""
        return read_schema_state(self.db.engine)

    def check_schema(self) -> None:
        """Refuse to serve a schema the code does not match (`helpdesk migrate` brings it up to date)."""
        require_schema(*self.schema_state())

    def close(self) -> None:
        """Release pools and threads."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.db.close()


def read_schema_state(engine: Engine) -> tuple[str | None, str | None]:
    """(revision the database behind `engine` is at, newest revision of the code)."""
    try:
        return schema_state(engine)
    except SQLAlchemyError as err:
        raise Unavailable(
            f"baza danych nie odpowiada ({type(err).__name__}): sprawdź HELPDESK_DATABASE_URL"
        ) from err


def require_schema(current: str | None, head: str | None) -> None:
    """SettingsError, telling what to run, unless the schema is at the code's revision."""
    if current is None:
        raise SettingsError(
            "baza danych nie ma jeszcze schematu: uruchom najpierw `helpdesk migrate` (albo `helpdesk init`)"
        )
    if current != head:
        raise SettingsError(
            f"schemat bazy danych jest w wersji {current}, a ta wersja programu wymaga {head}: "
            "uruchom najpierw `helpdesk migrate`"
        )


def check_schema_at(url: str) -> None:
    """`Container.check_schema` without a container (the supervisor of `serve --workers N`)."""
    engine = make_engine(url, pool_size=1)
    try:
        require_schema(*read_schema_state(engine))
    finally:
        engine.dispose()


def load_contracts(settings: Settings) -> dict[str, Contract]:
    """Contracts from HELPDESK_SLA_DIR/contracts (a broken file stops start-up, naming it)."""
    from helpdesk.adapters.files.contracts import load_contracts as load

    return dict(load(Path(settings.sla_dir)))


def build_container(
    settings: Settings, *, clock: Clock | None = None, listeners: list[EventListener] | None = None
) -> Container:
    """Wire the application for `settings`; `listeners` run before the channels' own."""
    clock = clock or SystemClock()
    contracts = load_contracts(settings)
    db = SqlDatabase(settings.database_url)
    office_files = OfficeFiles(Path(settings.sla_dir))
    sla = LiveSla(
        contracts, settings, office_calendar=office_calendar(settings.timezone), offices=office_files
    )
    people = PeopleService(
        db,
        contractors(contracts),
        token_ttl=timedelta(days=settings.token_ttl_days),
        throttles=throttles(settings),
    )
    # Answers that point to an article teach the knowledge base (proposals for coordinators).
    tickets = TicketService(
        db, clock, EventRecorder(settings.tz, [learn_from_tickets, *(listeners or [])]), sla=sla
    )
    kb = KbService(db, clock, settings, morphology=morfeusz(), morphology_factory=morfeusz)
    executor = ThreadPoolExecutor(max_workers=db.workers, thread_name_prefix="db")
    outbox = OutboxService(db, clock)
    office_calendars = OfficeCalendars(db, clock, office_files, settings.tz)

    def calendar_of(code: str) -> dict[str, Any]:
        """An office's calendar as its profile shows it: its own file, the defaults, or the built-in one."""
        shown = office_calendars.show(code)
        calendar = shown.get("calendar")
        if not calendar:
            return {
                **describe_calendar(sla.office_calendar, code),
                "own": False,
                "page": f"/offices/{code}/calendar",
            }
        return {
            **{k: calendar.get(k) for k in ("timezone", "days", "hours", "closed", "open")},
            "own": shown["own"],
            "file": shown["file"],
            "first_line": shown["first_line"],
            "page": f"/offices/{code}/calendar",
        }

    rollout = RolloutService(db, clock, settings.tz, contracts, calendar_info=calendar_of)
    tickets.rollout = rollout
    mail = build_mail_channel(settings, db, clock, tickets, kb, outbox, executor)
    # One conversation service, two channels: the web page "Zapytaj" talks through the same
    # dialogue as the bot, with the few texts that differ on a page ([web.*] of the texts file).
    texts = load_texts(settings)
    telegram = build_telegram_channel(settings, db, clock, tickets, kb, people, outbox, executor, texts)
    return Container(
        settings=settings,
        db=db,
        clock=clock,
        contracts=contracts,
        people=people,
        tickets=tickets,
        executor=executor,
        outbox=outbox,
        sla=sla,
        office_calendars=office_calendars,
        sla_sweep=SlaSweep(db, sla, tickets.recorder),
        kb=kb,
        kb_insights=KbInsights(db, clock, kb, settings.tz),
        kb_drafts=KbDrafts(db, clock, kb, settings.tz),
        kb_proposals=KbProposals(db, clock, kb, settings.tz),
        mail=mail,
        telegram=telegram,
        dialogue=DialogueService(db, clock, kb, tickets, texts.for_channel("web")),
        trust=build_trust(settings, db, clock, tickets),
        rollout=rollout,
        password_reset=PasswordReset(db, clock, settings.public_url, mail_address=settings.mail_from),
    )


def throttles(settings: Settings) -> Throttles:
    """The limits on failed passwords and link codes, from the settings."""
    return Throttles(
        login=Limit(settings.login_max_failures, timedelta(seconds=settings.login_window_s)),
        address=Limit(settings.login_address_max_failures, timedelta(seconds=settings.login_window_s)),
        link_code=Limit(settings.link_code_max_failures, timedelta(seconds=settings.link_code_window_s)),
    )


def build_trust(settings: Settings, db: SqlDatabase, clock: Clock, tickets: TicketService) -> TrustParts:
    """The audit checkpoints, the access log (heard by the ticket service) and retention."""
    file = CheckpointFile(settings.audit_checkpoint_file) if settings.audit_checkpoint_file else None
    access = AccessLog(db, clock)
    tickets.access_log = access
    return TrustParts(
        checkpoints=AuditCheckpoints(db, clock, file, auditor_addresses(settings)),
        access_log=access,
        retention=Retention(
            db, clock, tickets.recorder, years=settings.retention_years, flush=db.flush_deleted
        ),
    )


def build_mail_channel(
    settings: Settings,
    db: SqlDatabase,
    clock: Clock,
    tickets: TicketService,
    kb: KbService,
    outbox: OutboxService,
    executor: ThreadPoolExecutor,
) -> MailChannel:
    """The e-mail intake and its listeners (always), gateway, poller and sender (when configured)."""
    max_attachment = settings.attachment_max_bytes

    def parse(data: bytes, envelope_from: str | None) -> ParsedMail:
        return parse_mail(data, envelope_from=envelope_from, max_attachment_bytes=max_attachment)

    authenticate = MailAuthenticator(settings.mail_authserv_id, dkim_verify=settings.mail_dkim_verify)
    limits = MailLimits(
        settings.mail_rate_person, settings.mail_rate_domain, timedelta(seconds=settings.mail_rate_window_s)
    )
    intake = MailIntake(db, clock, tickets, kb, parse, authenticate=authenticate, limits=limits)
    # The intake listener stores the mail's attachments and outcome in the ticket's transaction;
    # the notifier puts the e-mail notices of every change in the outbox.
    tickets.listeners.append(intake_listener)
    tickets.listeners.append(MailNotifier(settings.mail_from, settings.public_url, settings.tz))
    gateway = None
    if (listen := settings.smtp_host_port) is not None:
        domain = settings.mail_from.rsplit("@", 1)[-1] or "helpdesk"
        gateway = SmtpGateway(intake, executor, *listen, settings.mail_max_bytes, hostname=domain)
    imap = ImapPoller(intake, parse_imap_url(settings.imap_url)) if settings.imap_url else None
    sender = None
    if (relay := settings.smtp_relay_host_port) is not None:
        sender = MailSender(outbox, clock, relay, settings.mail_from)
    return MailChannel(intake=intake, gateway=gateway, imap=imap, sender=sender)


def build_telegram_channel(
    settings: Settings,
    db: SqlDatabase,
    clock: Clock,
    tickets: TicketService,
    kb: KbService,
    people: PeopleService,
    outbox: OutboxService,
    executor: ThreadPoolExecutor,
    texts: Texts,
) -> TelegramChannel | None:
    """The bot, its dialogue and outbox sender, and its notice listener; None without a token."""
    if not settings.telegram_token:
        return None
    from helpdesk.adapters.telegram.bot import TelegramBot
    from helpdesk.adapters.telegram.claims import UpdateClaims
    from helpdesk.adapters.telegram.rate import RateLimiter
    from helpdesk.adapters.telegram.sender import OutboxSender
    from helpdesk.services.notify.telegram import telegram_listener

    dialogue = DialogueService(db, clock, kb, tickets, texts)
    tickets.listeners.append(telegram_listener(texts))
    bot = TelegramBot(
        settings,
        texts,
        dialogue,
        people=people,
        db=db,
        clock=clock,
        executor=executor,
        claims=UpdateClaims(db, clock, executor),
        rate=RateLimiter(settings.telegram_rate_burst, settings.telegram_rate_per_s),
    )
    return TelegramChannel(texts=texts, dialogue=dialogue, bot=bot, sender=OutboxSender(bot, outbox))
