"""Failures survived (README "Production"): the singletons' lease passes to another process when its
holder dies; PostgreSQL cut off under load gives 503 with a Polish message, then works again, with
nothing half-written; the mail relay down for an hour of (fake) time keeps the outbox, which drains
when it is back; a SQLite file that is read-only or full gives a clear error and stays intact.

PostgreSQL is cut off through a TCP proxy on loopback that the test closes, never by stopping the
shared server."""

import asyncio
import os
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, text

from helpdesk.adapters.clock import ManualClock, SystemClock
from helpdesk.bootstrap import Container
from helpdesk.domain.events import verify_chain
from helpdesk.lifecycle import SINGLETONS, SINGLETONS_LEASE, running
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.integration.test_email_gateway import free_port, start_sink
from tests.support.parts import missing
from tests.support.world import make_container, populate, postgres_database

TTL = timedelta(seconds=10)


def chain_ok(container: Container) -> int:
    count, broken = container.db.read(lambda tx: verify_chain(tx.iter_log()))
    assert broken is None
    return count


# --- the singletons' lease ------------------------------------------------------------------------
def test_a_lease_is_held_by_one_holder_and_taken_over_only_once_it_expired(any_container: Container) -> None:
    db, clock = any_container.db, any_container.clock
    assert isinstance(clock, ManualClock)
    now = clock.now()
    assert db.write(lambda tx: tx.lease_take("singletons", "a", now, TTL))
    assert not db.write(lambda tx: tx.lease_take("singletons", "b", now, TTL))
    assert db.write(lambda tx: tx.lease_take("singletons", "a", now + TTL / 2, TTL))  # renewed
    later = now + TTL / 2 + TTL  # "a" died after its renewal: expired now
    assert not db.write(lambda tx: tx.lease_take("singletons", "b", later - timedelta(seconds=1), TTL))
    assert db.write(lambda tx: tx.lease_take("singletons", "b", later, TTL))
    assert not db.write(lambda tx: tx.lease_take("singletons", "a", later, TTL))  # back too late
    holders = db.read(lambda tx: tx.lease_holders(later))
    assert holders["singletons"][0] == "b" and holders["singletons"][2] is True
    db.write(lambda tx: tx.lease_release("singletons", "b", later))  # a clean stop: free at once
    assert db.write(lambda tx: tx.lease_take("singletons", "a", later, TTL))


async def test_the_singletons_run_in_one_of_two_processes_and_move_when_it_stops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    fast = {"HELPDESK_LEASE_TTL_S": "1"}
    first = make_container(url, SystemClock(), **fast)  # type: ignore[arg-type]
    second = make_container(url, SystemClock(), **fast)  # type: ignore[arg-type]
    try:
        async with running(first) as one:
            async with running(second) as two:
                a, b = one.app[SINGLETONS], two.app[SINGLETONS]
                assert a.holding and not b.holding and b.scheduler is None
                # The first process "dies": it stops renewing (its lease is not given up).
                assert a._task is not None
                a._task.cancel()
                for _ in range(100):
                    if b.holding:
                        break
                    await asyncio.sleep(0.05)
                assert b.holding and b.scheduler is not None and "sla-sweep" in b.scheduler.names
                holders = second.db.read(lambda tx: tx.lease_holders(second.clock.now()))
                assert holders[SINGLETONS_LEASE][0] == b.holder
                a.holding = False  # its resources are stopped below without giving up b's lease
                await a._stop_all()
    finally:
        first.close()
        second.close()


# --- PostgreSQL cut off ---------------------------------------------------------------------------
class CuttableProxy:
    """A TCP proxy on loopback to PostgreSQL; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.open = False
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.postgres
async def test_postgresql_cut_off_under_load_answers_503_then_works_with_nothing_half_written() -> None:
    if not os.environ.get("HELPDESK_TEST_POSTGRES_URL"):
        missing("PostgreSQL", "set HELPDESK_TEST_POSTGRES_URL (.ci/run sets it and starts the server)")
    with postgres_database() as url:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        proxy = CuttableProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        container = make_container(proxied)
        people = populate(container)
        token = container.people.issue_token("urz.plock", container.clock.now())
        client = TestClient(TestServer(create_app(container)))
        await client.start_server()
        headers = {"Authorization": f"Bearer {token}"}
        created: list[str] = []
        failures: list[tuple[int, str]] = []

        async def one(i: int) -> None:
            resp = await client.post(
                "/api/v1/tickets", json={"title": f"Awaria {i}", "component": "EZD"}, headers=headers
            )
            body = await resp.json()
            if resp.status == 201:
                created.append(body["id"])
            else:
                failures.append((resp.status, body.get("error", "")))

        try:
            await asyncio.gather(*(one(i) for i in range(20)))
            assert len(created) == 20 and not failures
            burst = asyncio.gather(*(one(i) for i in range(20, 80)))
            await asyncio.sleep(0.05)
            proxy.cut()
            await burst
            await asyncio.gather(*(one(i) for i in range(80, 90)))
            assert failures and {status for status, _ in failures} == {503}
            assert all("baza danych" in message for _, message in failures)
            health = await client.get("/healthz")
            assert health.status == 503
            proxy.restore()
            before = len(created)
            await asyncio.gather(*(one(i) for i in range(90, 100)))
            assert len(created) == before + 10
            assert (await client.get("/healthz")).status == 200
        finally:
            await client.close()
            proxy.close()
        # Straight to the server: exactly the tickets answered 201 exist, and the chain verifies.
        direct = make_container(url)
        try:
            numbers = direct.db.read(
                lambda tx: tx.conn.execute(text("SELECT no FROM ticket")).scalars().all()
            )
            assert sorted(f"T-{n:06d}" for n in numbers) == sorted(created)
            assert sorted(numbers) == list(range(1, len(created) + 1))  # contiguous: nothing half-written
            assert chain_ok(direct) == len(created)
        finally:
            direct.close()
            container.close()
        del people


# --- the mail relay down for an hour --------------------------------------------------------------
async def test_the_relay_down_for_an_hour_keeps_the_outbox_which_drains_when_it_is_back(
    tmp_path: Path,
) -> None:
    relay_port = free_port()
    container = make_container(
        f"sqlite:///{tmp_path}/h.db",
        HELPDESK_SMTP_RELAY=f"127.0.0.1:{relay_port}",
        HELPDESK_MAIL_FROM="helpdesk@example.pl",
    )
    try:
        clock = container.clock
        assert isinstance(clock, ManualClock)
        people = populate(container)
        for i in range(3):
            container.tickets.create(people["urz.plock"], NewTicket(title=f"Skaner {i}", description="x"))
        sender = container.mail.sender
        assert sender is not None
        waiting = container.outbox.pending("email")
        assert waiting > 0
        for _ in range(12):  # an hour, one round every five minutes, nobody listening
            assert await asyncio.to_thread(sender.send_once) == 0
            clock.advance(minutes=5)
        assert container.outbox.pending("email") == waiting
        assert container.outbox.counts().get(("email", "given_up"), 0) == 0
        sink, server = await start_sink(relay_port)
        try:
            clock.advance(hours=1)  # past the longest back-off reached within the hour
            sent = 0
            for _ in range(5):
                sent += await asyncio.to_thread(sender.send_once)
            assert sent == waiting and container.outbox.pending("email") == 0
            assert len(sink.messages) == waiting
        finally:
            server.close()
    finally:
        container.close()


# --- a SQLite file read-only or full --------------------------------------------------------------
async def test_a_read_only_or_full_sqlite_file_gives_a_clear_error_and_stays_intact(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    container = make_container(f"sqlite:///{path}")
    people = populate(container)
    token = container.people.issue_token("urz.plock", container.clock.now())
    container.tickets.create(people["urz.plock"], NewTicket(title="Przed", description="x"))
    container.close()

    async def create_with(extra_pragma: str, url: str) -> tuple[int, str]:
        c = make_container(url)
        if extra_pragma:
            event.listen(c.db.engine, "connect", lambda conn, _r: conn.execute(extra_pragma))
            c.db.engine.dispose()
        client = TestClient(TestServer(create_app(c)))
        await client.start_server()
        try:
            resp = await client.post(
                "/api/v1/tickets",
                json={"title": "Po", "description": "x" * 9000, "component": "EZD"},
                headers={"Authorization": f"Bearer {token}"},
            )
            return resp.status, (await resp.json())["error"]
        finally:
            await client.close()
            c.close()

    page_count = int(os.path.getsize(path) // 4096) + 1
    status, error = await create_with(f"PRAGMA max_page_count={page_count}", f"sqlite:///{path}")
    assert status == 503 and "brak miejsca na dysku" in error
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    status, error = await create_with("", read_only)
    assert status == 503 and "tylko do odczytu" in error

    after = make_container(f"sqlite:///{path}")
    try:
        assert after.db.read(lambda tx: tx.conn.execute(text("PRAGMA integrity_check")).scalar()) == "ok"
        assert chain_ok(after) == 1
        titles = after.db.read(lambda tx: tx.conn.execute(text("SELECT title FROM ticket")).scalars().all())
        assert titles == ["Przed"]
    finally:
        after.close()
