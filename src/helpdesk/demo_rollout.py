"""Demo data of the rollout (added by `helpdesk init --demo` after the people): offices at different
stages of a 12-month plan, one late because the office has not delivered its data, one late on the
contractor's side, profiles complete and not, trainings done and missing, and the partners' domain
systems — one supported by the partner's own supplier under its own contract, with a ticket that
went there.

Everything goes through the rollout service as the coordinator or the office's representative
would do it, so every change is in the hash-chained log. Dates are counted from today, so the
schedule always looks the same relative to when the demo was loaded.
"""

from datetime import date, timedelta
from typing import Any

from helpdesk.bootstrap import Container
from helpdesk.services.tickets import NewTicket

PARTNER_CONTRACT = "umowa-system-podatki-plock-2026"

PROFILES: dict[str, dict[str, Any]] = {
    "1462011": {
        "computerisation": "elektroniczny",
        "previous_system": "własny system obiegu dokumentów (od 2015 r.)",
        "workstations": 540,
        "needs": ["migracja"],
        "notes": "Migracja spraw z dotychczasowego systemu zakończona; system podatkowy podłączony do szyny.",
    },
    "1463011": {
        "computerisation": "mieszany",
        "previous_system": "dziennik korespondencji w arkuszu",
        "workstations": 610,
        "needs": ["skanery", "szkolenia"],
    },
    "1413011": {
        "computerisation": "mieszany",
        "workstations": 120,
        "needs": ["migracja", "organizacja"],
        "notes": "Urząd nie przekazał jeszcze struktury organizacyjnej i wykazu JRWA do konfiguracji.",
    },
    "1419112": {"computerisation": "papierowy", "workstations": 35, "needs": ["sprzet", "lacze", "podpisy"]},
    "1424063": {"computerisation": "papierowy", "workstations": 80, "needs": ["skanery"]},
}

SYSTEMS: list[dict[str, Any]] = [
    {
        "id": "podatki-plock",
        "name": "System podatkowy Miasta Płocka",
        "supplier": "Sigma Systemy sp. z o.o.",
        "supporter": "Sigma Systemy sp. z o.o. (umowa Miasta Płocka)",
        "contract": PARTNER_CONTRACT,
        "offices": ["1462011"],
        "bus_services": ["podatki.naliczenia", "podatki.wplaty"],
    },
    {
        "id": "ksiegowosc-budzetowa",
        "name": "Księgowość budżetowa",
        "supplier": "Finanse JST S.A.",
        "supporter": "Wykonawca systemów dziedzinowych (umowa ESB)",
        "contract": "umowa-esb-2026",
        "offices": ["1463011", "1413011"],
        "bus_services": ["finanse.dokumenty-ksiegowe"],
    },
    {
        "id": "ewidencja-slupno",
        "name": "Ewidencja ludności Gminy Słupno",
        "supplier": "informatyk Urzędu Gminy Słupno",
        "supporter": "Urząd Gminy Słupno (we własnym zakresie)",
        "contract": None,
        "offices": ["1419112"],
        "bus_services": ["ewidencja.meldunki"],
    },
]


def _plan(today: date) -> dict[str, list[tuple[str, int, int | None]]]:
    """office → (milestone, planned, done) as days from today (negative: past; None: not done)."""
    return {
        # Płock: the whole plan done, EZD in production, its tax system attached.
        "1462011": [
            ("gotowosc", -300, -305),
            ("liderzy_przeszkoleni", -240, -236),
            ("prezentacja", -200, -200),
            ("esb_podlaczona", -150, -146),
            ("ezd_produkcja", -90, -88),
            ("system:podatki-plock", -40, -35),
        ],
        # Radom: connected to the bus, EZD in production planned ahead (on time).
        "1463011": [
            ("gotowosc", -280, -280),
            ("liderzy_przeszkoleni", -200, -195),
            ("prezentacja", -150, -150),
            ("esb_podlaczona", -60, -62),
            ("ezd_produkcja", 45, None),
            ("system:ksiegowosc-budzetowa", 90, None),
        ],
        # Mława: late because the office has not delivered its data (waiting recorded below).
        "1413011": [
            ("gotowosc", -250, -248),
            ("liderzy_przeszkoleni", -180, -176),
            ("esb_podlaczona", -30, None),
            ("ezd_produkcja", 30, None),
        ],
        # Słupno: late on the contractor's side: the on-the-job instruction did not happen.
        "1419112": [
            ("gotowosc", -120, -118),
            ("liderzy_przeszkoleni", -20, None),
            ("ezd_produkcja", 120, None),
        ],
        # Pułtusk (gmina): readiness was late partly because people were not available.
        "1424063": [
            ("gotowosc", -90, None),
            ("liderzy_przeszkoleni", 30, None),
            ("ezd_produkcja", 150, None),
        ],
        # Gostynin: only just planned.
        "1404011": [("gotowosc", 20, None), ("ezd_produkcja", 200, None)],
    }


def load_rollout_demo(container: Container) -> dict[str, int]:
    """Add the rollout's demo data; returns what was added."""
    service = container.rollout
    people = container.people
    coordinator = people.person("koordynator")
    today = service.today()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    for code, values in PROFILES.items():
        service.update_profile(coordinator, code, values)
    # Płock's representative fills in the people herself: stand-ins for everyone.
    plock_rep = people.person("przedstawiciel.plock")
    for login, standin in (
        ("przedstawiciel.plock", "lider.plock"),
        ("lider.plock", "lider2.plock"),
        ("lider2.plock", "lider.plock"),
    ):
        service.set_standin(plock_rep, "1462011", login, standin)
    service.set_standin(coordinator, "1463011", "przedstawiciel.radom", "lider.radom")
    systems = [s for s in SYSTEMS if s["contract"] is None or s["contract"] in container.contracts]
    for system in systems:
        service.put_system(coordinator, system)
    milestones = 0
    for code, steps in _plan(today).items():
        for kind, planned, done in steps:
            if kind.startswith("system:") and kind[7:] not in {s["id"] for s in systems}:
                continue
            service.set_milestone(
                coordinator,
                code,
                kind,
                {"planned": day(planned), "done": day(done) if done is not None else None},
            )
            milestones += 1
    # Mława has not delivered the data the bus connection needs: waiting on the office since day -45.
    service.start_wait(
        coordinator,
        "1413011",
        "esb_podlaczona",
        {"start": day(-45), "reason": "dane", "note": "brak struktury organizacyjnej i wykazu JRWA"},
    )
    service.set_milestone(
        people.person("przedstawiciel.mlawa"),
        "1413011",
        "esb_podlaczona",
        {"office_note": "Struktura organizacyjna czeka na zatwierdzenie zarządzeniem burmistrza."},
    )
    # Pułtusk: readiness waited 14 days for the office's people (closed), the rest was the contractor's.
    service.start_wait(coordinator, "1424063", "gotowosc", {"start": day(-95), "reason": "ludzie"})
    service.end_wait(coordinator, "1424063", "gotowosc", {"end": day(-81)})
    service.set_milestone(coordinator, "1424063", "gotowosc", {"done": day(-70)})
    trainings = _trainings(container, day)
    tickets = _system_ticket(container) if any(s["id"] == "podatki-plock" for s in systems) else 0
    return {"milestones": milestones, "systems": len(systems), "trainings": trainings, "tickets": tickets}


def _trainings(container: Container, day: Any) -> int:
    service = container.rollout
    coordinator = container.people.person("koordynator")
    specs = [
        ("ezd-elearning", "elearning", "EZD", -260, "EZD: moduł e-learningowy dla liderów", None),
        (
            "ezd-instruktaz-plock",
            "instruktaz",
            "EZD",
            -238,
            "EZD: instruktaż stanowiskowy w Płocku",
            "1462011",
        ),
        (
            "ezd-instruktaz-mlawa",
            "instruktaz",
            "EZD",
            -178,
            "EZD: instruktaż stanowiskowy w Mławie",
            "1413011",
        ),
        ("esb-elearning", "elearning", "ESB", -200, "ESB: moduł e-learningowy", None),
        (
            "esb-instruktaz-plock",
            "instruktaz",
            "ESB",
            -160,
            "ESB: instruktaż stanowiskowy w Płocku",
            "1462011",
        ),
        (
            "prezentacja-plock",
            "prezentacja",
            "EZD",
            -200,
            "EZD: prezentacja dla pracowników Płocka",
            "1462011",
        ),
    ]
    for training_id, kind, component, offset, title, office in specs:
        service.put_training(
            coordinator,
            {
                "id": training_id,
                "kind": kind,
                "component": component,
                "held_on": day(offset),
                "title": title,
                "office": office,
            },
        )
    # Płock's and Mława's leaders did both parts for EZD; Radom's leader only the e-learning so far;
    # Słupno's leader nothing yet (the instruction is what makes its milestone late).
    rows = [
        "training,login",
        "ezd-elearning,lider.plock",
        "ezd-elearning,lider2.plock",
        "ezd-elearning,lider.radom",
        "ezd-elearning,lider.mlawa",
        "ezd-instruktaz-plock,lider.plock",
        "ezd-instruktaz-plock,lider2.plock",
        "ezd-instruktaz-mlawa,lider.mlawa",
        "esb-elearning,lider.plock",
        "esb-elearning,lider2.plock",
        "esb-instruktaz-plock,lider.plock",
        "esb-instruktaz-plock,lider2.plock",
        "prezentacja-plock,urzednik.plock",
        "prezentacja-plock,urzednik2.plock",
    ]
    service.import_attendance(coordinator, "\n".join(rows) + "\n")
    return len(specs)


def _system_ticket(container: Container) -> int:
    """A ticket about Płock's tax system, escalated: it goes to the system's supplier, under its contract."""
    people = container.people
    official, leader = people.person("urzednik.plock"), people.person("lider.plock")
    ticket = container.tickets.create(
        official,
        NewTicket(
            "System podatkowy nie pobiera wpłat z szyny",
            "Od wczoraj wpłaty z banku nie księgują się w systemie podatkowym; w EZD wszystko działa.",
            priority="high",
            channel="web",
            system="podatki-plock",
        ),
    )
    container.tickets.act(leader, ticket["id"], "take")
    container.tickets.act(
        leader, ticket["id"], "escalate", text="Usługa podatki.wplaty nie odpowiada — proszę o pilną analizę."
    )
    return 1
