"""IMAP polling against a real dovecot (Debian's dovecot-imapd) started by the test on loopback.

dovecot runs as a foreground child (`dovecot -F`) with a temporary configuration, a passwd-file
user and Maildir storage; the test delivers with IMAP APPEND and the poller fetches with imaplib.
"""

import asyncio
import contextlib
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from helpdesk.adapters.clock import ManualClock
from helpdesk.lifecycle import running
from tests.integration.test_email_gateway import (
    START,
    free_port,
    make_world_container,
    populate,
    wait_for,
)
from tests.support.parts import missing

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
USER, PASSWORD = "urzad", "tajne haslo+42"


def dovecot_binary() -> str | None:
    """The dovecot binary; installs dovecot-imapd once when we may (root with apt-get), else None."""
    found = shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.path.exists(p)), None)
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "dovecot-imapd"],
            check=True,
            timeout=600,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    return shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[int]:
    """A dovecot IMAP server on 127.0.0.1:<port> with one user; yields the port."""
    binary = dovecot_binary()
    if binary is None:
        missing("dovecot", "apt-get install -y dovecot-imapd (.ci/run installs it)")
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    root.chmod(0o755)  # login processes run as an unprivileged user and must reach base_dir
    port = free_port()
    if os.geteuid() == 0:
        uid = gid = 65534  # nobody: dovecot refuses to give mail to uid 0
        users = ""
    else:
        uid, gid = os.getuid(), os.getgid()
        name = pwd.getpwuid(uid).pw_name
        users = f"default_login_user = {name}\ndefault_internal_user = {name}\n"
    mail = root / "mail"
    mail.mkdir()
    if os.geteuid() == 0:
        os.chown(mail, uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "dovecot.conf").write_text(f"""{users}base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail}/%u
first_valid_uid = {min(uid, 1)}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""")
    proc = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with imaplib.IMAP4("127.0.0.1", port, timeout=2) as probe:
                    probe.login(USER, PASSWORD)
                break
            except (OSError, imaplib.IMAP4.error):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    output = proc.stdout.read().decode() if proc.stdout and proc.poll() is not None else ""
                    pytest.fail(f"dovecot did not start: {output} {log}")
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def mailbox(port: int) -> imaplib.IMAP4:
    conn = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    conn.login(USER, PASSWORD)
    return conn


def deliver(port: int, raw: bytes) -> None:
    """Put a message into the INBOX, unseen."""
    with mailbox(port) as conn:
        status, _ = conn.append("INBOX", None, None, raw)
        assert status == "OK"


def unseen(port: int) -> int:
    with mailbox(port) as conn:
        conn.select("INBOX")
        _, data = conn.search(None, "UNSEEN")
        return len(data[0].split())


def empty_mailbox(port: int) -> None:
    with mailbox(port) as conn:
        conn.select("INBOX")
        _, data = conn.search(None, "ALL")
        for num in data[0].split():
            conn.store(num, "+FLAGS", "(\\Deleted)")
        conn.expunge()


@pytest.fixture
def imap_container(tmp_path: Path, dovecot: int):
    empty_mailbox(dovecot)
    url = f"imap://{USER}:{quote(PASSWORD)}@127.0.0.1:{dovecot}/INBOX"
    container = make_world_container(
        tmp_path,
        ManualClock(START),
        free_port(),
        free_port(),
        HELPDESK_IMAP_URL=url,
        HELPDESK_IMAP_POLL_S="0.1",
    )
    populate(container)
    try:
        yield container
    finally:
        container.close()


def tickets(container) -> list[dict]:
    coord = container.people.person("koordynator")
    return container.db.read(lambda tx: tx.list_tickets({}, coord, 100, 0))[0]


def test_unseen_mail_opens_a_ticket_with_its_attachments_and_is_then_marked_seen(imap_container, dovecot):
    # As the final delivery writes it: the envelope sender in Return-Path (what the sender check reads).
    deliver(
        dovecot,
        b"Return-Path: <jan.kowalski@plock.example.pl>\r\n" + (CORPUS / "12_attachment.eml").read_bytes(),
    )
    poller = imap_container.mail.imap

    [outcome] = poller.poll_once()

    assert (outcome.status, outcome.ticket) == ("ticket", "T-000001")
    [ticket] = tickets(imap_container)
    assert ticket["title"] == "Drukarka nie drukuje UPO – zrzut ekranu" and ticket["channel"] == "email"
    files = imap_container.db.read(lambda tx: tx.mail_attachments(1))
    assert [f["filename"] for f in files] == ["zrzut błędu.png", "pismo żołnierza.pdf"]
    assert unseen(dovecot) == 0
    assert poller.poll_once() == []
    raw = imap_container.db.read(lambda tx: tx.mail_raw_list())
    assert [(r["source"], r["envelope_from"]) for r in raw] == [("imap", "jan.kowalski@plock.example.pl")]


def test_auto_replies_and_bounces_in_the_mailbox_are_read_but_open_nothing(imap_container, dovecot):
    deliver(dovecot, (CORPUS / "09_bounce.eml").read_bytes())
    deliver(dovecot, (CORPUS / "10_bulk_newsletter.eml").read_bytes())

    outcomes = imap_container.mail.imap.poll_once()

    assert [o.status for o in outcomes] == ["ignored", "ignored"]
    assert tickets(imap_container) == [] and unseen(dovecot) == 0
    assert imap_container.db.read(lambda tx: tx.outbox_messages("email")) == []


def test_a_message_stays_unseen_while_the_database_is_down(imap_container, dovecot, tmp_path: Path):
    deliver(dovecot, (CORPUS / "01_utf8_quoted_printable.eml").read_bytes())
    db, path = imap_container.db, tmp_path / "h.db"
    away = path.with_suffix(".away")
    db.engine.dispose()
    db.read_engine.dispose()
    path.rename(away)
    try:
        assert imap_container.mail.imap.poll_once() == []
        assert unseen(dovecot) == 1
    finally:
        db.engine.dispose()
        db.read_engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        away.rename(path)

    [outcome] = imap_container.mail.imap.poll_once()
    assert outcome.status == "ticket" and unseen(dovecot) == 0


async def test_the_poller_part_fetches_mail_on_its_own_in_the_server_loop(imap_container, dovecot):
    async with running(imap_container):
        await asyncio.to_thread(deliver, dovecot, (CORPUS / "02_iso8859-2_base64.eml").read_bytes())
        # The sender of that fixture is not registered: the poller reads it and ignores it.
        await wait_for(lambda: imap_container.db.read(lambda tx: tx.mail_raw_list()))
        await asyncio.to_thread(deliver, dovecot, (CORPUS / "07_forward.eml").read_bytes())
        [ticket] = await wait_for(lambda: tickets(imap_container))
        assert ticket["title"] == "Błąd UPO z ePUAP"
