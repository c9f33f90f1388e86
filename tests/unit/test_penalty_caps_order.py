"""The contract's total cap of penalties (domain/sla.py `apply_penalty_caps`), worked by hand:
penalties count in the order the clocks breached (then ticket, then the clock's place in the
contract), a per-year cap counts the contract year of the breach's date in the clock's own time
zone, a clock without a penalty or out of contract takes no part, and one still running counts at
the moment asked about."""

from datetime import datetime
from zoneinfo import ZoneInfo

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.sla import Metric, PenaltyEntry, TicketSla, apply_penalty_caps
from tests.unit.test_contracts import EXAMPLE, build

WARSAW = ZoneInfo("Europe/Warsaw")
CAL = BusinessCalendar("Europe/Warsaw", frozenset(range(5)), 8 * 60, 16 * 60, name="biuro")
CAPPED = build({**EXAMPLE, "id": "umowa-a", "penalties_cap": {"pln": 1000, "per": "year"}})
UNCAPPED = build({**EXAMPLE, "id": "umowa-b"})
CONTRACTS = {"umowa-a": CAPPED, "umowa-b": UNCAPPED}

JUNE = datetime(2027, 6, 1, 10, 0, tzinfo=WARSAW).timestamp()
NEW_YEAR = datetime(2028, 1, 1, 0, 30, tzinfo=WARSAW).timestamp()  # still 2027 in UTC
AS_OF = datetime(2028, 2, 1, 12, 0, tzinfo=WARSAW)


def clock(name: str, penalty: float, breached_at: float | None) -> Metric:
    return Metric(name, 0, 3600, "breached", False, False, None, penalty, CAL, AS_OF, breached_at)


def ticket(contract: str, version: str, *metrics: Metric, out: bool = False) -> TicketSla:
    return TicketSla(
        contract, "critical", out, {m.name: m for m in metrics}, 0, AS_OF, AS_OF, version=version
    )


def test_penalties_are_cut_to_the_cap_in_breach_order_per_contract_year():
    items = [
        ("T-000009", ticket("umowa-a", "umowa-a", clock("fix", 999, JUNE - 60), out=True)),
        ("T-000002", ticket("umowa-a", "aneks-1", clock("workaround", 700, JUNE), clock("fix", 500, JUNE))),
        ("T-000001", ticket("umowa-a", "umowa-a", clock("reaction", 0, JUNE), clock("fix", 100, JUNE))),
        ("T-000005", ticket("umowa-a", "aneks-1", clock("fix", 0.5, NEW_YEAR))),
        ("T-000003", ticket("umowa-b", "umowa-b", clock("fix", 300, None))),
    ]
    assert apply_penalty_caps(items, CONTRACTS) == [
        PenaltyEntry("T-000001", "umowa-a", "umowa-a", "fix", JUNE, 100, 100, 1, 0.0),
        PenaltyEntry("T-000002", "umowa-a", "aneks-1", "workaround", JUNE, 700, 700, 1, 100),
        PenaltyEntry("T-000002", "umowa-a", "aneks-1", "fix", JUNE, 500, 200, 1, 800),
        PenaltyEntry("T-000005", "umowa-a", "aneks-1", "fix", NEW_YEAR, 0.5, 0.5, 2, 0.0),
        PenaltyEntry("T-000003", "umowa-b", "umowa-b", "fix", AS_OF.timestamp(), 300, 300, None, 0.0),
    ]
