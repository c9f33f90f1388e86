"""Test support: build real containers (SQLite file or a fresh PostgreSQL database) and a small world.

The world has two offices, people of every role in each, and agents of the two contractors of the
shipped contracts, so role rules can be exercised across offices and contractors.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.db.engine import make_nullpool_engine
from helpdesk.bootstrap import Container, build_container
from helpdesk.domain.people import Person
from helpdesk.services.people import parse_offices_csv
from helpdesk.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
WARSAW = ZoneInfo("Europe/Warsaw")
# A Monday morning in the shipped contracts' period.
START = datetime(2027, 3, 1, 9, 0, tzinfo=WARSAW)

OFFICES = """code,name,type,employees,components,leaders_max
1462011,Urząd Miasta Płocka,powiat_grodzki,620,EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO,2
1419112,Urząd Gminy Słupno,gmina_wiejska,42,EZD;EPUAP;PODPIS;KONTO,1
"""


def settings_for(database_url: str, **extra: str) -> Any:
    """Settings for a test container (no SMTP listener unless asked)."""
    env = {
        "HELPDESK_DATABASE_URL": database_url,
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_KB_DIR": str(REPO / "knowledge_base"),
        "HELPDESK_SMTP_LISTEN": "",
        "HELPDESK_HTTP": "127.0.0.1:0",
    }
    env.update(extra)
    return load_settings(env)


def make_container(database_url: str, clock: ManualClock | None = None, **extra: str) -> Container:
    """A migrated container on `database_url` with a manual clock."""
    container = build_container(settings_for(database_url, **extra), clock=clock or ManualClock(START))
    container.migrate()
    return container


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on HELPDESK_TEST_POSTGRES_URL, dropped afterwards."""
    base = os.environ["HELPDESK_TEST_POSTGRES_URL"]
    name = f"helpdesk_test_{uuid.uuid4().hex[:12]}"
    admin = make_nullpool_engine(base)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def contractors(container: Container) -> list[str]:
    """The contractor ids of the shipped contracts: the core's (EZD, ESB) first, then partners', each sorted.

    So `agent1`/`agent2` stay the ESB and EZD contractors' agents whatever partners' contracts ship."""
    core = {c.contractor for c in container.contracts.values() if {"EZD", "ESB"} & set(c.components)}
    others = {c.contractor for c in container.contracts.values()} - core
    return sorted(core) + sorted(others)


def populate(container: Container) -> dict[str, Person]:
    """Two offices with every office role, agents of two contractors, coordinator, auditor, admin."""
    people = container.people
    people.import_offices(parse_offices_csv(OFFICES))
    now = container.clock.now()
    specs = [
        ("urz.plock", "official", "1462011", None),
        ("urz2.plock", "official", "1462011", None),
        ("lider.plock", "leader", "1462011", None),
        ("lider2.plock", "leader", "1462011", None),
        ("przedst.plock", "representative", "1462011", None),
        ("urz.slupno", "official", "1419112", None),
        ("lider.slupno", "leader", "1419112", None),
        ("przedst.slupno", "representative", "1419112", None),
        ("koordynator", "coordinator", None, None),
        ("audytor", "auditor", None, None),
        ("admin", "admin", None, None),
    ]
    for i, contractor in enumerate(contractors(container)):
        specs.append((f"agent{i + 1}", "agent", None, contractor))
    out: dict[str, Person] = {}
    for login, role, jst, contractor in specs:
        out[login] = people.add_person(
            login=login,
            name=f"Osoba {login}",
            role=role,
            now=now,
            jst=jst,
            contractor=contractor,
            email=f"{login}@example.pl",
        )
    return out


def contract_for(container: Container, component: str) -> Any:
    """The shipped contract covering `component`."""
    return next(c for c in container.contracts.values() if component in c.components)
