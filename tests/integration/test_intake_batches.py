"""New tickets of concurrent API requests go to the database a batch at a time (web/intake.py).

Through a real aiohttp server, on SQLite and on PostgreSQL. The first request is held in the
pool (its token lookup waits) while others arrive; they must then go together — one token lookup
and one hand-over for all of them — and yet each is answered as it would be alone: a valid
official gets 201 with their own ticket, an unknown token 401, a role that may not open tickets
403, a coordinator without an office 400; the numbers stay contiguous and the log verifies. A
batch that fails as a whole (the database down) answers every request of it 503 in Polish, and the
next request is served. The pieces underneath — `write_each`, `create_each`, `by_tokens` — are
checked on their own at the end.
"""

import asyncio
import threading
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.errors import Forbidden, NotAuthenticated, NotFound, Unavailable
from helpdesk.services.audit import verify_log
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from helpdesk.web.common import INTAKE
from tests.support.calls import api_caller
from tests.support.world import populate

BODY = {"title": "EZD nie otwiera pism", "description": "Błąd 500", "component": "EZD"}


class HeldLookups:
    """Wraps `people.by_tokens`: the first call waits for `release`; every call's size is kept."""

    def __init__(self, people: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        self.started = threading.Event()
        self.release = threading.Event()
        original = people.by_tokens

        def by_tokens(tokens: list[str], now: Any) -> Any:
            self.sizes.append(len(tokens))
            if len(self.sizes) == 1:
                self.started.set()
                assert self.release.wait(10)
            return original(tokens, now)

        monkeypatch.setattr(people, "by_tokens", by_tokens)


@pytest.fixture
async def served(any_container):
    container = any_container
    people = populate(container)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    tokens["nieznany"] = "to-nie-jest-token"
    app = create_app(container)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield container, app, api_caller(client, tokens)
    await client.close()


async def _wait_for(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the requests never queued up")


async def test_requests_that_arrive_during_a_batch_go_together_and_each_gets_its_own_answer(
    served, monkeypatch
):
    container, app, call = served
    held = HeldLookups(container.people, monkeypatch)
    first = asyncio.create_task(call("POST", "/api/v1/tickets", "urz.plock", BODY))
    await asyncio.get_running_loop().run_in_executor(None, held.started.wait, 10)
    others = [
        ("urz2.plock", BODY, 201),
        ("nieznany", BODY, 401),
        ("audytor", BODY, 403),
        ("koordynator", BODY, 400),  # a coordinator must name the office
        ("lider.slupno", BODY, 201),
        ("koordynator", {**BODY, "office": "1419112"}, 201),
    ]
    tasks = [asyncio.create_task(call("POST", "/api/v1/tickets", who, body)) for who, body, _ in others]
    await _wait_for(lambda: len(app[INTAKE]._waiting) == len(others))
    held.release.set()
    status, ticket = await first
    answers = await asyncio.gather(*tasks)

    assert status == 201 and ticket["office"] == "1462011"
    assert [s for s, _ in answers] == [expected for _, _, expected in others]
    assert "nieznany" in answers[1][1]["error"] or "token" in answers[1][1]["error"]
    assert answers[3][1]["error"] == "koordynator musi podać urząd (pole 'office')"
    assert held.sizes == [1, len(others)]  # one lookup for everyone who came meanwhile
    created = [ticket, *(body for s, body in answers if s == 201)]
    assert [t["office"] for t in created] == ["1462011", "1462011", "1419112", "1419112"]
    numbers = sorted(int(t["id"][2:]) for t in created)
    assert numbers == list(range(numbers[0], numbers[0] + 4))
    assert not verify_log(container.db).problems


async def test_a_batch_that_fails_as_a_whole_answers_each_of_its_requests_503_and_the_next_is_served(
    served, monkeypatch
):
    container, app, call = served
    original = container.people.by_tokens
    down = {"on": True}

    def by_tokens(tokens: list[str], now: Any) -> Any:
        if down["on"]:
            raise Unavailable("baza danych jest chwilowo niedostępna; spróbuj ponownie za chwilę")
        return original(tokens, now)

    monkeypatch.setattr(container.people, "by_tokens", by_tokens)
    answers = await asyncio.gather(*(call("POST", "/api/v1/tickets", "urz.plock", BODY) for _ in range(3)))
    assert [s for s, _ in answers] == [503, 503, 503]
    assert all("niedostępna" in body["error"] for _, body in answers)
    down["on"] = False
    status, _ticket = await call("POST", "/api/v1/tickets", "urz.plock", BODY)
    assert status == 201
    assert app[INTAKE]._in_flight == 0 and not app[INTAKE]._waiting


# --- the pieces underneath ---------------------------------------------------------------------


def test_write_each_keeps_every_unit_to_itself_in_one_hand_over(any_container):
    container = any_container
    official = populate(container)["urz.plock"]
    new = NewTicket(title="Drukarka", description="", component="EZD")

    def refused(tx: Any) -> Any:
        container.tickets._opening(official, new)[1](tx)
        raise Forbidden("nie tym razem")

    outcomes = container.db.write_each(
        [container.tickets._opening(official, new)[1], refused, container.tickets._opening(official, new)[1]]
    )
    assert isinstance(outcomes[1], Forbidden)
    assert [o["no"] for o in (outcomes[0], outcomes[2])] == [1, 2]  # the refused one left no gap
    assert container.tickets.get(official, "T-000002")["title"] == "Drukarka"
    with pytest.raises(NotFound):
        container.tickets.get(official, "T-000003")
    assert not verify_log(container.db).problems


def test_create_each_answers_each_request_in_order_and_a_refused_one_stops_nobody(any_container):
    container = any_container
    people = populate(container)
    good = NewTicket(title="Skaner", description="", component="EZD")
    outcomes = container.tickets.create_each(
        [
            (people["urz.plock"], good),
            (people["audytor"], good),
            (people["urz.slupno"], NewTicket(title="   ", description="", component="EZD")),
            (people["urz.slupno"], good),
        ]
    )
    assert isinstance(outcomes[1], Forbidden)
    assert "title" in str(outcomes[2]) or "tytuł" in str(outcomes[2])
    assert [outcomes[0]["id"], outcomes[3]["id"]] == ["T-000001", "T-000002"]
    assert outcomes[3]["office"] == "1419112"


def test_by_tokens_looks_every_token_up_in_one_read_and_refuses_each_alone(any_container, monkeypatch):
    container = any_container
    populate(container)
    now = container.clock.now()
    plock = container.people.issue_token("urz.plock", now)
    slupno = container.people.issue_token("urz.slupno", now)
    reads: list[int] = []
    original = container.db.lookup

    def lookup(fn: Any) -> Any:
        reads.append(1)
        return original(fn)

    monkeypatch.setattr(container.db, "lookup", lookup)
    found = container.people.by_tokens([plock, "zly-token", slupno, plock], now)
    assert reads == [1]
    assert [getattr(p, "login", None) for p in found] == ["urz.plock", None, "urz.slupno", "urz.plock"]
    assert isinstance(found[1], NotAuthenticated)
    # Their "last used" written once each (plock's token came twice), as by_token writes it.
    assert [
        c.last_used_at for login in ("urz.plock", "urz.slupno") for c in container.people.tokens(login)
    ] == [
        now,
        now,
    ]
    container.people.revoke_tokens("urz.slupno", None)
    again = container.people.by_tokens([plock, slupno], now)
    assert isinstance(again[1], NotAuthenticated)  # nothing cached
