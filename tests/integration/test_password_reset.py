"""A forgotten password: a one-time link by e-mail (delivered through a real SMTP relay on
loopback), the new password from it, and what must not happen — learning who has an account,
flooding someone's mailbox, a link working twice or after an hour, another site sending the form."""

import asyncio
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.adapters.clock import ManualClock
from helpdesk.domain.errors import InvalidInput
from helpdesk.web.app import create_app
from tests.integration.test_email_gateway import (
    OFFICIAL,
    START,
    free_port,
    make_world_container,
    populate,
    start_sink,
)

SAME_ANSWER = "Jeśli w help-desku jest konto o tym loginie lub adresie"


async def test_a_forgotten_password_is_set_again_from_a_link_sent_by_mail(tmp_path: Path) -> None:
    clock = ManualClock(START)
    relay_port = free_port()
    sink, server = await start_sink(relay_port)
    container = make_world_container(tmp_path, clock, free_port(), relay_port)
    try:
        populate(container)
        container.people.set_password("jan.kowalski", "stare-haslo-1")
        async with TestClient(TestServer(create_app(container))) as client:
            login_page = await (await client.get("/login")).text()
            assert 'href="/haslo"' in login_page and "Nie pamiętasz hasła?" in login_page
            signed_in = TestClient(TestServer(create_app(container)))
            await signed_in.start_server()
            form = {"login": "jan.kowalski", "password": "stare-haslo-1"}
            assert (await signed_in.post("/login", data=form, allow_redirects=False)).status == 303

            html = await (await client.post("/haslo", data={"who": "JAN.KOWALSKI"})).text()
            assert SAME_ANSWER in html
            await asyncio.to_thread(container.mail.sender.send_once)
            (mail,) = sink.to(OFFICIAL)
            assert mail["Subject"] == "Ustawienie nowego hasła do help-desku e-Urzędu"
            body = mail.get_body(("plain",)).get_content()
            assert "jan.kowalski" in body and "przez godzinę" in body
            link = re.search(r"https?://\S+/haslo/nowe\?t=(\S+)", body)
            assert link
            path = f"/haslo/nowe?t={link[1]}"

            page = await (await client.get(path)).text()
            assert "Ustaw nowe hasło dla konta <strong>jan.kowalski</strong>" in page
            resp = await client.post(path, data={"new": "nowe-haslo-1", "again": "inne-haslo-1"})
            assert resp.status == 400 and "powtórzenie się różnią" in await resp.text()
            resp = await client.post(
                path, data={"new": "nowe-haslo-1", "again": "nowe-haslo-1"}, allow_redirects=False
            )
            assert resp.status == 303 and resp.headers["Location"] == "/login?haslo=ustawione"
            assert (
                "Hasło ustawione. Zaloguj się nowym hasłem."
                in await (await client.get("/login?haslo=ustawione")).text()
            )

            # The old password and the sessions opened with it are gone; the new one signs in.
            assert (await signed_in.get("/konto", allow_redirects=False)).status == 303
            await signed_in.close()
            form["password"] = "stare-haslo-1"
            assert (await client.post("/login", data=form, allow_redirects=False)).status == 401
            form["password"] = "nowe-haslo-1"
            assert (await client.post("/login", data=form, allow_redirects=False)).status == 303
            # The link worked once: opened again, it leads back to asking for a new one.
            resp = await client.get(path)
            html = await resp.text()
            assert resp.status == 400 and "wygasł albo został już użyty" in html and 'href="/haslo"' in html
    finally:
        server.close()
        container.close()


async def test_nobody_learns_who_has_an_account_and_nobody_floods_a_mailbox(tmp_path: Path) -> None:
    clock = ManualClock(START)
    container = make_world_container(tmp_path, clock, free_port(), free_port())
    try:
        populate(container)
        reset = container.password_reset
        async with TestClient(TestServer(create_app(container))) as client:
            for who in ("nikt.taki", "koordynator", "jan.kowalski@example.invalid"):
                resp = await client.post("/haslo", data={"who": who})
                assert resp.status == 200 and SAME_ANSWER in await resp.text(), who
            resp = await client.post("/haslo", data={"who": "  "})
            assert resp.status == 400 and "Podaj login albo adres e-mail." in await resp.text()
            # A form sent from another site's page is refused before anything happens.
            resp = await client.post(
                "/haslo", data={"who": "jan.kowalski"}, headers={"Origin": "http://zla.example"}
            )
            assert resp.status == 403
        # Unknown and without an e-mail address (the coordinator has none): nothing is queued.
        assert container.outbox.pending("email") == 0
        # By e-mail address too; then at most three links an hour for one person.
        sent = [reset.request(OFFICIAL, "127.0.0.1")] + [
            reset.request("jan.kowalski", f"127.0.0.{i}") for i in range(5)
        ]
        assert sent == [True, True, True, False, False, False]
        clock.advance(hours=2)
        assert reset.request("jan.kowalski") is True
    finally:
        container.close()


async def test_a_link_works_for_an_hour_and_only_the_newest_one(tmp_path: Path) -> None:
    clock = ManualClock(START)
    container = make_world_container(tmp_path, clock, free_port(), free_port())
    try:
        populate(container)
        reset = container.password_reset

        def link() -> str:
            assert reset.request("jan.kowalski")
            (message,) = [m for m in container.outbox.claim("email") if m.recipient == OFFICIAL]
            container.outbox.sent(message)
            found = re.search(r"/haslo/nowe\?t=(\S+)", message.body)
            assert found
            return found[1]

        older, newer = link(), link()
        assert reset.holder(newer).login == "jan.kowalski"
        for secret in (older, "zmyslony"):  # an older link, replaced by the newer, and a made-up one
            with pytest.raises(InvalidInput, match="wygasł albo został już użyty"):
                reset.complete(secret, "nowe-haslo-1")
        clock.advance(minutes=61)
        with pytest.raises(InvalidInput, match="wygasł"):
            reset.holder(newer)
        # A disabled person gets no link.
        container.people.set_enabled("jan.kowalski", False)
        assert reset.request("jan.kowalski") is False
    finally:
        container.close()
