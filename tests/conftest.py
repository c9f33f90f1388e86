"""Shared fixtures: a real SQLite container, a real PostgreSQL one when configured, the small world."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from helpdesk.adapters.clock import ManualClock
from helpdesk.bootstrap import Container
from tests.support.parts import missing
from tests.support.world import START, make_container, populate, postgres_database

HAS_POSTGRES = bool(os.environ.get("HELPDESK_TEST_POSTGRES_URL"))


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at a Monday morning inside the shipped contracts' period."""
    return ManualClock(START)


@pytest.fixture
def container(tmp_path, clock) -> Iterator[Container]:
    """A migrated container on a real SQLite file."""
    c = make_container(f"sqlite:///{tmp_path}/helpdesk.db", clock)
    yield c
    c.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_container(request, tmp_path, clock) -> Iterator[Container]:
    """The same tests on SQLite and on PostgreSQL (skipped without HELPDESK_TEST_POSTGRES_URL)."""
    if request.param == "sqlite":
        c = make_container(f"sqlite:///{tmp_path}/helpdesk.db", clock)
        yield c
        c.close()
        return
    with postgres_container(clock) as c:
        yield c


@contextmanager
def postgres_container(clock: ManualClock) -> Iterator[Container]:
    """A migrated container on a fresh PostgreSQL database (failing when there is no server)."""
    if not HAS_POSTGRES:
        missing("PostgreSQL", "set HELPDESK_TEST_POSTGRES_URL (.ci/run sets it and starts the server)")
    with postgres_database() as url:
        c = make_container(url, clock)
        try:
            yield c
        finally:
            c.close()


@pytest.fixture
def pg_container(clock) -> Iterator[Container]:
    """A container on PostgreSQL only, for what exists only there."""
    with postgres_container(clock) as c:
        yield c


@pytest.fixture
def world(container):
    """People of every role in two offices (see tests/support/world.py)."""
    return populate(container)
