"""Schemathesis against the served OpenAPI document, for two roles: no 500, every response as documented.

The real web application listens on loopback (its own event loop in a thread) over a SQLite file
with people of every role and a few tickets; schemathesis reads `/api/v1/openapi.json` from it and
sends generated requests — valid and invalid — for every operation, as an official and as a
coordinator. The run is bounded (EXAMPLES per operation and role, about 200 cases in all), with a
fixed seed so a failure repeats.
"""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.world import make_container, populate

EXAMPLES = 6
ROLES = ("urz.plock", "koordynator")


class LoopbackServer:
    """The web application on 127.0.0.1, served from a thread with its own event loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app)
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> "LoopbackServer":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def __exit__(self, *exc: Any) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("fuzz")
    container = make_container(f"sqlite:///{folder}/h.db")
    people = populate(container)
    for title in ("EZD nie działa", "Skaner"):
        container.tickets.create(
            people["urz.plock"], NewTicket(title=title, description="opis", component="EZD")
        )
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in ROLES}
    with LoopbackServer(create_app(container)) as server:
        yield server.base_url, tokens
    container.close()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_never_get_a_500_and_match_the_document(served, role):
    base_url, tokens = served
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    failures: list[str] = []
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @seed(20261130)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal cases
            cases += 1
            try:
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)
            except Exception as err:  # collected: one report of every operation that failed
                failures.append(f"{operation.label}: {str(err).splitlines()[0][:300]}")

        run()
    assert cases >= 80
    assert not failures, "\n".join(sorted(set(failures)))
