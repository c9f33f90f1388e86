"""The ticket use cases wired on the in-memory fakes: real services, real notifiers, no database.

`fake_desk()` builds what bootstrap builds for tickets — the event recorder with the e-mail and
Telegram notifiers, the ticket service with the live SLA policy over the shipped contracts, the
SLA sweep and the outbox service — on a `FakeDatabase`, with the small world of
tests/support/world.py (every person has an e-mail; agents, coordinator and leaders also Telegram).
"""

from dataclasses import dataclass
from types import SimpleNamespace

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.files.contracts import load_contracts
from helpdesk.adapters.files.office_calendar import office_calendar
from helpdesk.adapters.telegram.texts import load_texts
from helpdesk.domain.contracts import Contract
from helpdesk.domain.people import Person
from helpdesk.services.events import EventRecorder
from helpdesk.services.notify.mail import MailNotifier
from helpdesk.services.notify.outbox import OutboxService
from helpdesk.services.notify.telegram import TelegramNotifier
from helpdesk.services.people import parse_offices_csv
from helpdesk.services.sla.live import LiveSla
from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.tickets import TicketService
from helpdesk.settings import Settings
from tests.support.fakes import FakeDatabase, add_people
from tests.support.world import OFFICES, REPO, START, WARSAW

DOMAIN = "helpdesk.example.pl"


@dataclass
class FakeDesk:
    """Services on fakes, and the world they serve."""

    db: FakeDatabase
    clock: ManualClock
    recorder: EventRecorder
    tickets: TicketService
    sweep: SlaSweep
    outbox: OutboxService
    sla: LiveSla
    contracts: dict[str, Contract]
    people: dict[str, Person]

    def agent_for(self, component: str) -> Person:
        """The agent of the contractor whose contract covers `component`."""
        contractor = next(c.contractor for c in self.contracts.values() if component in c.components)
        return next(p for p in self.people.values() if p.role.value == "agent" and p.contractor == contractor)

    def queued(self, channel: str | None = None) -> list[dict]:
        """Outbox rows, oldest first."""
        return [m for m in self.db.repo.outbox if channel is None or m["channel"] == channel]


def fake_desk(clock: ManualClock | None = None) -> FakeDesk:
    """The desk at Monday 09:00 (or at `clock`)."""
    clock = clock or ManualClock(START)
    db = FakeDatabase()
    contracts = load_contracts(REPO / "sla")
    settings = SimpleNamespace(tz=WARSAW, sla_warn_share=0.8, first_line_target_min=240)
    sla = LiveSla(contracts, settings, office_calendar=office_calendar("Europe/Warsaw"))
    texts = load_texts(Settings())  # the defaults: bot/texts.pl.toml
    recorder = EventRecorder(
        WARSAW, [MailNotifier(f"helpdesk@{DOMAIN}", f"https://{DOMAIN}", WARSAW), TelegramNotifier(texts)]
    )
    contractors = sorted({c.contractor for c in contracts.values()})
    specs = [
        ("urz.plock", "official", "1462011", None, None),
        ("lider.plock", "leader", "1462011", None, 5001),
        ("lider2.plock", "leader", "1462011", None, 5002),
        ("przedst.plock", "representative", "1462011", None, 5003),
        ("koordynator", "coordinator", None, None, 5004),
    ] + [(f"agent{i + 1}", "agent", None, c, 5100 + i) for i, c in enumerate(contractors)]
    people = add_people(
        db,
        parse_offices_csv(OFFICES),
        [
            {"login": login, "role": role, "jst": jst, "contractor": contractor, "telegram_id": chat}
            | {"email": f"{login}@example.pl"}
            for login, role, jst, contractor, chat in specs
        ],
    )
    return FakeDesk(
        db=db,
        clock=clock,
        recorder=recorder,
        tickets=TicketService(db, clock, recorder, sla=sla),
        sweep=SlaSweep(db, sla, recorder),
        outbox=OutboxService(db, clock),
        sla=sla,
        contracts=contracts,
        people=people,
    )


__all__ = ["DOMAIN", "FakeDesk", "fake_desk"]
