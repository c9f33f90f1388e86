"""The composition root: builds settings, adapters and services once and wires them together."""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from helpdesk.adapters.clock import SystemClock
from helpdesk.adapters.db.migrate import upgrade
from helpdesk.adapters.db.store import SqlDatabase
from helpdesk.domain.throttle import Limit
from helpdesk.services.events import EventRecorder
from helpdesk.services.people import PeopleService, Throttles
from helpdesk.services.ports import Clock, EventListener
from helpdesk.services.tickets import TicketService
from helpdesk.settings import Settings, auditor_addresses

log = logging.getLogger(__name__)


@dataclass
class Container:
    """Everything the entry points (CLI, web, bot, mail) need, built once."""

    settings: Settings
    db: SqlDatabase
    clock: Clock
    contracts: dict[str, Any]
    people: PeopleService
    tickets: TicketService
    executor: ThreadPoolExecutor
    outbox: Any = None
    sla: Any = None
    kb: Any = None
    kb_insights: Any = None  # services.kb.insights.KbInsights: deflection, unanswered, drafts from tickets
    kb_drafts: Any = None  # services.kb.drafts.KbDrafts: review and publishing of drafts
    extras: dict[str, Any] = field(default_factory=dict)

    def migrate(self) -> None:
        """Create or upgrade the schema and the chain head."""
        upgrade(self.db.engine)
        self.db.ensure_head()

    def close(self) -> None:
        """Release pools and threads."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.db.close()


def load_contracts(settings: Settings) -> dict[str, Any]:
    """Contracts from HELPDESK_SLA_DIR/contracts (a broken file stops start-up, naming it)."""
    from helpdesk.adapters.files.contracts import load_contracts as load

    return dict(load(Path(settings.sla_dir)))


def build_container(
    settings: Settings, *, clock: Clock | None = None, listeners: list[EventListener] | None = None
) -> Container:
    """Wire the application for `settings`."""
    from helpdesk.adapters.files.contracts import contractors
    from helpdesk.services.kb.answers import KbService
    from helpdesk.services.kb.drafts import KbDrafts
    from helpdesk.services.kb.insights import KbInsights
    from helpdesk.services.notify.outbox import OutboxService
    from helpdesk.services.sla.live import LiveSla

    clock = clock or SystemClock()
    contracts = load_contracts(settings)
    db = SqlDatabase(settings.database_url)
    from helpdesk.adapters.files.office_calendar import office_calendar

    sla = LiveSla(contracts, settings, office_calendar=office_calendar(settings.timezone))
    people = PeopleService(
        db,
        contractors(contracts),
        token_ttl=timedelta(days=settings.token_ttl_days),
        throttles=throttles(settings),
    )
    all_listeners: list[EventListener] = list(listeners or [])
    tickets = TicketService(db, clock, EventRecorder(settings.tz, all_listeners), sla=sla)
    kb = KbService(db, clock, settings)
    executor = ThreadPoolExecutor(max_workers=8 if not db.sqlite else 16, thread_name_prefix="db")
    container = Container(
        settings=settings,
        db=db,
        clock=clock,
        contracts=contracts,
        people=people,
        tickets=tickets,
        executor=executor,
        sla=sla,
        kb=kb,
        outbox=OutboxService(db, clock),
        kb_insights=KbInsights(db, clock, kb, settings.tz),
        kb_drafts=KbDrafts(db, clock, kb, settings.tz),
        extras={"listeners": all_listeners, "parts": [], "web_setup": []},
    )
    install_trust(container)
    install_channels(container)
    return container


def throttles(settings: Settings) -> Throttles:
    """The limits on failed passwords and link codes, from the settings."""
    return Throttles(
        login=Limit(settings.login_max_failures, timedelta(seconds=settings.login_window_s)),
        address=Limit(settings.login_address_max_failures, timedelta(seconds=settings.login_window_s)),
        link_code=Limit(settings.link_code_max_failures, timedelta(seconds=settings.link_code_window_s)),
    )


def install_trust(container: Container) -> None:
    """The audit checkpoints, the access log and the retention of personal data."""
    from helpdesk.adapters.files.checkpoints import CheckpointFile
    from helpdesk.services.access_log import AccessLog
    from helpdesk.services.audit import AuditCheckpoints
    from helpdesk.services.retention import Retention

    settings = container.settings
    file = CheckpointFile(settings.audit_checkpoint_file) if settings.audit_checkpoint_file else None
    container.extras["audit_checkpoints"] = AuditCheckpoints(
        container.db, container.clock, file, auditor_addresses(settings)
    )
    access = AccessLog(container.db, container.clock)
    container.extras["access_log"] = access
    container.tickets.access_log = access
    container.extras["retention"] = Retention(
        container.db,
        container.clock,
        container.tickets.recorder,
        years=settings.retention_years,
        flush=container.db.flush_deleted,
    )


CHANNEL_MODULES = (
    "helpdesk.adapters.email.wiring",
    "helpdesk.adapters.telegram.wiring",
    "helpdesk.adapters.scheduler",
)


def install_channels(container: Container) -> None:
    """Let each channel add its listeners (outbox notices), background parts and web routes.

    Each module's `install(container)` may append to `container.tickets.listeners`,
    `container.extras["parts"]` (async start functions returning an async stop) and
    `container.extras["web_setup"]` (functions given the aiohttp app).
    """
    import importlib

    for name in CHANNEL_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.install(container)
