"""Demo data for `make run`: real Mazovian offices, their people, the shipped articles, live tickets.

Every demo person has the web password `demo1234` (shown in the README). Tickets are opened and
moved at past times through the real services, so their events and SLA clocks are genuine.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.files.articles import load_articles
from helpdesk.bootstrap import Container
from helpdesk.demo_rollout import load_rollout_demo
from helpdesk.services.people import PeopleService, parse_offices_csv
from helpdesk.services.tickets import NewTicket, TicketService

DEMO_PASSWORD = "demo1234"

OFFICES_CSV = """code,name,type,employees,components,leaders_max
14,Urząd Marszałkowski Województwa Mazowieckiego,urzad_marszalkowski,1800,EZD;ESB;EPUAP;PODPIS;KONTO;SZKOLENIA;ORGANIZACJA,3
1462011,Urząd Miasta Płocka,powiat_grodzki,620,EZD;ESB;EPUAP;PODPIS;SKANOWANIE;SPRZET;KONTO;SYSTEMY_DZIEDZINOWE,3
1463011,Urząd Miejski w Radomiu,powiat_grodzki,710,EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO;SYSTEMY_DZIEDZINOWE,3
1419,Starostwo Powiatowe w Płocku,powiat_ziemski,160,EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO,2
1424,Starostwo Powiatowe w Pułtusku,powiat_ziemski,120,EZD;EPUAP;PODPIS;SKANOWANIE;KONTO,2
1413011,Urząd Miasta Mława,gmina_miejska,140,EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO;SYSTEMY_DZIEDZINOWE,2
1404011,Urząd Miasta Gostynina,gmina_miejska,75,EZD;EPUAP;PODPIS;SKANOWANIE;KONTO,2
1419033,Urząd Gminy i Miasta w Gąbinie,gmina_miejsko_wiejska,48,EZD;EPUAP;PODPIS;SKANOWANIE;KONTO,1
1424063,Urząd Miejski w Pułtusku,gmina_miejsko_wiejska,95,EZD;ESB;EPUAP;PODPIS;KONTO,2
1419112,Urząd Gminy Słupno,gmina_wiejska,42,EZD;EPUAP;PODPIS;SKANOWANIE;KONTO,1
1425072,Urząd Gminy Jedlińsk,gmina_wiejska,38,EZD;EPUAP;PODPIS;KONTO,1
"""

# login, name, role, jst, contractor, email
PersonSpec = tuple[str, str, str, str | None, str | None, str | None]
PEOPLE: list[PersonSpec] = [
    ("koordynator", "Anna Wiśniewska", "coordinator", None, None, "koordynator@um.example.pl"),
    ("audytor", "Tomasz Zieliński", "auditor", None, None, "audytor@kontrola.example.pl"),
    ("admin", "Administrator Help-desku", "admin", None, None, "admin@um.example.pl"),
    (
        "przedstawiciel.plock",
        "Barbara Kamińska",
        "representative",
        "1462011",
        None,
        "sekretarz@plock.example.pl",
    ),
    ("lider.plock", "Piotr Lewandowski", "leader", "1462011", None, "lider@plock.example.pl"),
    ("lider2.plock", "Magdalena Dąbrowska", "leader", "1462011", None, "lider2@plock.example.pl"),
    ("urzednik.plock", "Katarzyna Nowak", "official", "1462011", None, "k.nowak@plock.example.pl"),
    ("urzednik2.plock", "Michał Wójcik", "official", "1462011", None, "m.wojcik@plock.example.pl"),
    (
        "przedstawiciel.radom",
        "Jerzy Kowalczyk",
        "representative",
        "1463011",
        None,
        "sekretarz@radom.example.pl",
    ),
    ("lider.radom", "Agnieszka Mazur", "leader", "1463011", None, "lider@radom.example.pl"),
    ("urzednik.radom", "Ewa Krawczyk", "official", "1463011", None, "e.krawczyk@radom.example.pl"),
    (
        "przedstawiciel.mlawa",
        "Grzegorz Piotrowski",
        "representative",
        "1413011",
        None,
        "sekretarz@mlawa.example.pl",
    ),
    ("lider.mlawa", "Joanna Grabowska", "leader", "1413011", None, "lider@mlawa.example.pl"),
    ("urzednik.mlawa", "Paweł Pawłowski", "official", "1413011", None, "p.pawlowski@mlawa.example.pl"),
    (
        "przedstawiciel.slupno",
        "Zofia Michalska",
        "representative",
        "1419112",
        None,
        "sekretarz@slupno.example.pl",
    ),
    ("lider.slupno", "Krzysztof Król", "leader", "1419112", None, "lider@slupno.example.pl"),
    ("urzednik.slupno", "Monika Jabłońska", "official", "1419112", None, "m.jablonska@slupno.example.pl"),
]


def _agents(contractors: set[str]) -> list[PersonSpec]:
    names = [("Łukasz Adamczyk", "Marta Sikora"), ("Robert Baran", "Iwona Szymańska")]
    out: list[PersonSpec] = []
    for i, contractor in enumerate(sorted(contractors)):
        first, second = names[i % len(names)]
        out.append(
            (f"agent.{contractor}", first, "agent", None, contractor, f"serwis@{contractor}.example.pl")
        )
        out.append(
            (f"agent2.{contractor}", second, "agent", None, contractor, f"serwis2@{contractor}.example.pl")
        )
    return out


def load_demo(container: Container) -> dict[str, Any]:
    """Add the demo data unless it is there already; returns what was added."""
    people = container.people
    if container.db.read(lambda tx: tx.person_by("login", "koordynator")) is not None:
        return {"skipped": True}
    offices = parse_offices_csv(OFFICES_CSV)
    people.import_offices(offices)
    now = container.clock.now()
    everyone = PEOPLE + _agents(people.contractors)
    for login, name, role, jst, contractor, email in everyone:
        people.add_person(
            login=login, name=name, role=role, now=now, jst=jst, contractor=contractor, email=email
        )
        people.set_password(login, DEMO_PASSWORD)
    kb_dir = Path(container.settings.kb_dir)
    articles = load_articles([kb_dir]) if kb_dir.exists() else []
    counts = container.kb.import_articles(articles, actor="demo") if articles else {"added": 0}
    tickets = _demo_tickets(container, people)
    rollout = load_rollout_demo(container)
    return {
        "skipped": False,
        "offices": len(offices),
        "people": len(everyone),
        "articles": counts["added"],
        "tickets": tickets + rollout["tickets"],
        "rollout": rollout,
    }


def _demo_tickets(container: Container, people: PeopleService) -> int:
    """Open a few tickets at past times and move them through the flow."""
    start = container.clock.now() - timedelta(days=6)
    clock = ManualClock(start)
    service = TicketService(container.db, clock, container.tickets.recorder, sla=container.sla)
    who = {
        login: people.person(login)
        for login in (
            "urzednik.plock",
            "urzednik2.plock",
            "lider.plock",
            "urzednik.radom",
            "lider.radom",
            "urzednik.mlawa",
            "urzednik.slupno",
            "lider.slupno",
        )
    }
    agents = [people.person(f"agent.{c}") for c in sorted(people.contractors)]
    count = 0

    def open_(login: str, title: str, description: str, component: str, priority: str = "normal") -> str:
        nonlocal count
        count += 1
        t = service.create(who[login], NewTicket(title, description, component, priority, channel="web"))
        return str(t["id"])

    open_(
        "urzednik.plock",
        "Nie mogę zalogować się do EZD",
        "Od rana przy logowaniu pojawia się komunikat o wygaśnięciu hasła.",
        "KONTO",
    )
    clock.advance(hours=3)
    t2 = open_(
        "urzednik2.plock",
        "Skaner nie zapisuje plików do EZD",
        "Skanuję pismo, ale dokument nie pojawia się w rejestrze przesyłek.",
        "SKANOWANIE",
    )
    service.act(who["lider.plock"], t2, "take")
    clock.advance(days=1)
    t3 = open_(
        "urzednik.radom",
        "EZD nie działa w całym urzędzie",
        "Od 9:00 nikt w urzędzie nie może otworzyć EZD – strona logowania się nie ładuje.",
        "EZD",
        "critical",
    )
    service.act(who["lider.radom"], t3, "take")
    service.act(who["lider.radom"], t3, "escalate", priority="critical", text="Awaria w całym urzędzie.")
    agent = next((a for a in agents if a.contractor == _contractor_of(container, "EZD")), agents[0])
    clock.advance(minutes=40)
    service.act(agent, t3, "acknowledge", text="Przyjęliśmy zgłoszenie, analizujemy logi serwera.")
    clock.advance(hours=3)
    service.act(agent, t3, "workaround", text="Przełączyliśmy urząd na zapasowy węzeł; EZD działa.")
    clock.advance(days=1)
    t4 = open_(
        "urzednik.mlawa",
        "Brak UPO dla pisma wysłanego przez ePUAP",
        "Pismo wysłane wczoraj, w EZD nadal brak urzędowego poświadczenia odbioru.",
        "EPUAP",
        "high",
    )
    clock.advance(days=1)
    t5 = open_(
        "urzednik.slupno",
        "Jak ustawić zastępstwo na czas urlopu?",
        "Idę na urlop od poniedziałku, kto ma przejąć moje sprawy?",
        "EZD",
        "low",
    )
    service.act(who["lider.slupno"], t5, "take")
    service.act(
        who["lider.slupno"], t5, "reply", text="Zastępstwo ustawia się w EZD: Moje konto → Zastępstwa."
    )
    service.act(who["lider.slupno"], t5, "resolve")
    service.act(who["urzednik.slupno"], t5, "close")
    del t4
    return count


def _contractor_of(container: Container, component: str) -> str | None:
    for contract in container.contracts.values():
        if component in contract.components:
            return str(contract.contractor)
    return None
