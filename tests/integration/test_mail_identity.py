"""Mail identity: a forged `From:` is never a leader's reply and is never relayed in
their name; unauthenticated mail is kept, marked unverified; rate limits count people and domains,
not envelope senders; mail that cannot be read stays stored and its authenticated sender is told."""

import subprocess
from email.message import EmailMessage
from email.utils import make_msgid

import dkim
import pytest

from helpdesk.adapters.email.auth import MailAuthenticator, aligned, trusted_results
from helpdesk.services.intake.mail import MailAuth, MailIntake
from tests.integration.test_email_gateway import (
    HELPDESK,
    LEADER,
    OFFICIAL,
    RELAY_ID,
    World,
    open_ticket_by_mail,
    wait_for,
    world,  # noqa: F401 - the gateway's `world` fixture
)


def plain(sender: str, subject: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = HELPDESK
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.pl")
    msg.set_content(text)
    return msg


async def test_a_forged_leader_reply_is_not_a_reply_and_is_relayed_to_nobody(world: World):
    """A forged reply: envelope attacker@evil.example, From the leader, Subject Re: [T-000001]."""
    await open_ticket_by_mail(world)
    before = len(world.sink.to(OFFICIAL))
    forged = plain(LEADER, "Re: [T-000001]", "Zaloguj się tutaj: http://evil.example/ezd")
    await world.send(forged, sender="attacker@evil.example", authenticated=False)
    events = world.events(1)
    assert not [e for e in events if e["type"] == "replied"]
    [kept] = [e for e in events if e["type"] == "commented"]
    assert kept["unverified"] is True and kept["actor"] == "lider.plock"
    outbox = world.outbox()
    assert not [m for m in outbox if "evil.example" in m["body"] or "evil.example" in (m["html"] or "")]
    assert len([m for m in outbox if m["recipient"] == OFFICIAL]) == before


async def test_a_relay_header_with_another_authserv_id_proves_nothing(world: World):
    await open_ticket_by_mail(world)
    forged = plain(LEADER, "Re: [T-000001]", "Proszę zmienić hasło.")
    forged["Authentication-Results"] = "mx.evil.example; dmarc=pass header.from=plock.example.pl"
    await world.send(forged, sender=LEADER, authenticated=False)
    assert not [e for e in world.events(1) if e["type"] == "replied"]


async def test_an_authenticated_leader_reply_is_a_reply(world: World):
    await open_ticket_by_mail(world)
    await world.send(plain(LEADER, "Re: [T-000001]", "Proszę zresetować hasło."), sender=LEADER)
    assert [e["text"] for e in world.events(1) if e["type"] == "replied"] == ["Proszę zresetować hasło."]


async def test_unauthenticated_mail_from_an_official_opens_a_ticket_marked_unverified(world: World):
    await world.send(
        plain(OFFICIAL, "Pilne: kliknij http://evil.example", "Tu jest link."),
        sender=OFFICIAL,
        authenticated=False,
    )
    [ticket] = world.tickets()
    [created] = [e for e in world.events(ticket["no"]) if e["type"] == "created"]
    assert created["unverified"] is True
    to_leader = await wait_for(lambda: world.sink.to(LEADER))
    assert "Niepotwierdzony nadawca" in to_leader[0]["Subject"]
    body = to_leader[0].get_body(("plain",)).get_content()
    assert "evil.example" not in body and "evil.example" not in to_leader[0]["Subject"]
    ack = await wait_for(lambda: world.sink.to(OFFICIAL))
    assert "podszyć" in ack[0].get_body(("plain",)).get_content()


async def test_an_envelope_of_another_domain_is_not_authenticated(world: World):
    await world.send(plain(OFFICIAL, "Skaner", "nie działa"), sender="bounce@mailer.example.com")
    [ticket] = world.tickets()
    assert next(e for e in world.events(ticket["no"]) if e["type"] == "created")["unverified"] is True


async def test_rotating_the_envelope_sender_does_not_escape_the_rate_limit(world: World):
    """Keyed on the envelope sender, 25 of 25 became tickets when the limit was keyed on MAIL FROM."""
    for i in range(25):
        await world.send(plain(OFFICIAL, f"Zgłoszenie {i}", "treść"), sender=f"x{i}@plock.example.pl")
    assert len(world.tickets()) == 20
    ignored = [r for r in world.raw() if r["status"] == "ignored"]
    assert len(ignored) == 5 and all("rate limit" in r["note"] for r in ignored)


@pytest.mark.parametrize("subject", [b"=?utf-7?Q?+2AA-awaria?=", b"=?utf-7?B?K0FHRUFZZ0JqLQ==?="])
async def test_a_utf7_subject_is_handled_and_answered(world: World, subject):
    raw = (
        f"From: {OFFICIAL}\r\nTo: {HELPDESK}\r\nMessage-ID: <u7@plock.example.pl>\r\n".encode()
        + b"Subject: "
        + subject
        + b"\r\n\r\nTresc zgloszenia.\r\n"
    )
    await world.send(raw)
    [ticket] = world.tickets()
    assert ticket["title"]
    await wait_for(lambda: world.sink.to(OFFICIAL))


async def test_a_3000_deep_multipart_is_handled_and_answered(world: World):
    body = b"Skaner nie skanuje."
    for i in range(3000):
        b = f"b{i}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary="
            + b
            + b"\r\n\r\n--"
            + b
            + b"\r\n"
            + body
            + b"\r\n--"
            + b
            + b"--"
        )
    raw = (
        f"From: {OFFICIAL}\r\nTo: {HELPDESK}\r\nSubject: Skaner\r\nMIME-Version: 1.0\r\n".encode()
        + body
        + b"\r\n"
    )
    await world.send(raw)
    [ticket] = world.tickets()
    assert "Skaner nie skanuje." in ticket["description"]
    await wait_for(lambda: world.sink.to(OFFICIAL))


def test_mail_that_cannot_be_read_stays_stored_and_an_authenticated_sender_is_told(container, world_people):
    def broken(_data, _envelope):
        raise ValueError("nieczytelna")

    data = b"From: urz.plock@example.pl\r\nSubject: x\r\n\r\nabc"
    for authenticated, told in ((False, 0), (True, 1)):
        intake = MailIntake(
            container.db,
            container.clock,
            container.tickets,
            None,
            broken,
            authenticate=lambda *_a, ok=authenticated: MailAuth(ok, "test"),
        )
        outcome = intake.receive(data, source="smtp", envelope_from="urz.plock@example.pl")
        assert outcome.status == "error"
        stored = container.db.read(lambda tx, i=outcome.raw_id: tx.mail_raw(i))
        assert bytes(stored["data"]) == data
        answers = [
            m for m in container.db.read(lambda tx: tx.outbox_messages("email")) if "odczytać" in m["subject"]
        ]
        assert len(answers) == told


@pytest.fixture
def world_people(world_small):
    return world_small


@pytest.fixture
def world_small(container):
    from tests.support.world import populate

    return populate(container)


# --- the checks themselves ------------------------------------------------------------------------
def test_alignment_is_relaxed_and_authserv_ids_are_matched_exactly():
    assert aligned("plock.example.pl", "mail.plock.example.pl") and not aligned(
        "plock.example.pl", "example.pl.evil"
    )
    results = trusted_results(
        [
            f"{RELAY_ID}; spf=pass smtp.mailfrom=a@x.pl; dkim=fail header.d=x.pl",
            "other; dmarc=pass header.from=x.pl",
        ],
        RELAY_ID,
    )
    assert results == [("spf", "pass", {"smtp.mailfrom": "a@x.pl"}), ("dkim", "fail", {"header.d": "x.pl"})]


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dkim")
    key = folder / "key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    import base64

    return key.read_bytes(), b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_our_own_dkim_check_authenticates_a_signed_mail_and_refuses_a_changed_one(dkim_key):
    private, record = dkim_key
    message = plain(OFFICIAL, "Podpisane", "Treść podpisana.").as_bytes()
    signature = dkim.sign(
        message, b"sel", b"plock.example.pl", private, include_headers=[b"from", b"subject"]
    )
    signed = signature + message

    def dns(name, timeout=5):
        return record if name == b"sel._domainkey.plock.example.pl." else None

    check = MailAuthenticator("", dkim_verify=True, dns=dns)
    assert check(signed, OFFICIAL, OFFICIAL).authenticated
    assert not check(signed.replace(b"podpisana", b"zmieniona"), OFFICIAL, OFFICIAL).authenticated
    assert not check(signed, OFFICIAL, "attacker@evil.example").authenticated  # envelope not aligned
    assert not MailAuthenticator("", dkim_verify=False, dns=dns)(signed, OFFICIAL, OFFICIAL).authenticated
