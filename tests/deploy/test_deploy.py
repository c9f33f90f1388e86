"""deploy/ as an operator uses it: the environment file lists every setting and loads, `nginx -t`
accepts the site, `systemd-analyze verify` accepts every unit and timer, logrotate reads its file,
and a pg_dump backup restores into a new PostgreSQL database whose event log verifies."""

import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from helpdesk.adapters.db.engine import make_nullpool_engine
from helpdesk.services.tickets import NewTicket
from helpdesk.settings import SETTING_TYPES, load_settings, variable
from tests.support.parts import missing
from tests.support.world import REPO, make_container, populate, postgres_database

DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def env_lines() -> list[tuple[str, str, bool]]:
    """(variable, value, set) for each `HELPDESK_X=value` line of helpdesk.env, commented or not."""
    found = []
    for line in (DEPLOY / "helpdesk.env").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(#\s*)?(HELPDESK_[A-Z0-9_]+)=(\S*)", line)
        if m:
            found.append((m.group(2), m.group(3), m.group(1) is None))
    return found


def test_the_environment_file_lists_every_setting_once_and_its_values_load() -> None:
    names = [name for name, _, _ in env_lines()]
    assert sorted(names) == sorted(variable(n) for n in SETTING_TYPES)
    assert len(names) == len(set(names))
    active = {name: value for name, value, is_set in env_lines() if is_set}
    settings = load_settings(active)
    assert settings.database_url.startswith("postgresql+psycopg://") and settings.log_format == "json"


def tool(name: str, package: str) -> str:
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if found is None:
        missing(name, f"apt-get install {package} (.ci/run installs it)")
    assert found is not None
    return found


def test_nginx_accepts_the_site_configuration(tmp_path: Path) -> None:
    nginx = tool("nginx", "nginx")
    openssl = tool("openssl", "openssl")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/helpdesk/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/helpdesk/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "main.conf")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    for needed in ("Strict-Transport-Security", "client_max_body_size", "/telegram/webhook", "/static/"):
        assert needed in site


def test_systemd_accepts_every_unit_and_timer(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze", "systemd")
    if not (REPO / ".venv" / "bin" / "helpdesk").exists():
        missing("the helpdesk console script", "run `make lint` first (it creates .venv)")
    names = []
    for unit in UNITS:
        body = unit.read_text(encoding="utf-8").replace("/opt/helpdesk", str(REPO))
        (tmp_path / unit.name).write_text(body, encoding="utf-8")
        names.append(unit.name.replace("@.service", "@8081.service"))
    # The template's instance is verified through a link named after it, as systemd would load it.
    (tmp_path / "helpdesk-web@8081.service").symlink_to(tmp_path / "helpdesk-web@.service")
    names.remove("helpdesk-web@8081.service")
    names.append("helpdesk-web@8081.service")
    done = subprocess.run(
        [analyze, "verify", *[str(tmp_path / n) for n in names if n != "helpdesk.target"]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    problems = [line for line in done.stderr.splitlines() if "helpdesk" in line]
    assert done.returncode == 0 and problems == [], done.stderr
    timers = {u.name.removesuffix(".timer") for u in UNITS if u.suffix == ".timer"}
    assert timers == {"helpdesk-backup", "helpdesk-audit-checkpoint", "helpdesk-audit-verify"}
    assert all((DEPLOY / "systemd" / f"{t}.service").exists() for t in timers)


def test_logrotate_reads_its_file(tmp_path: Path) -> None:
    logrotate = tool("logrotate", "logrotate")
    conf = (DEPLOY / "logrotate" / "helpdesk").read_text(encoding="utf-8")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "web-8081.log").write_text("x\n")
    user = os.environ.get("USER") or "root"
    conf = conf.replace("/var/log/helpdesk", str(tmp_path / "logs")).replace(
        "helpdesk helpdesk", f"{user} {user}"
    )
    conf = conf.replace("0640 helpdesk adm", f"0640 {user} {user}")
    (tmp_path / "helpdesk").write_text(conf, encoding="utf-8")
    done = subprocess.run(
        [logrotate, "--debug", "--state", str(tmp_path / "state"), str(tmp_path / "helpdesk")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr


@pytest.mark.postgres
def test_a_backup_restores_into_a_new_database_whose_event_log_verifies(tmp_path: Path) -> None:
    if not os.environ.get("HELPDESK_TEST_POSTGRES_URL"):
        missing("PostgreSQL", "set HELPDESK_TEST_POSTGRES_URL (.ci/run sets it and starts the server)")
    tool("pg_dump", "postgresql-client")
    helpdesk = REPO / ".venv" / "bin" / "helpdesk"
    if not helpdesk.exists():
        missing("the helpdesk console script", "run `make lint` first (it creates .venv)")
    with postgres_database() as url:
        container = make_container(url)
        try:
            people = populate(container)
            for i in range(5):
                container.tickets.create(people["urz.plock"], NewTicket(title=f"Skaner {i}", description="x"))
            head = container.db.read(lambda tx: tx.head())
        finally:
            container.close()
        backups = tmp_path / "backups"
        backups.mkdir()
        old = backups / "helpdesk-20000101T000000Z.dump"
        old.write_bytes(b"old")
        ancient = (REPO / "README.md").stat().st_mtime - timedelta(days=400).total_seconds()
        os.utime(old, (ancient, ancient))
        env = {
            **os.environ,
            "HELPDESK_DATABASE_URL": url,
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_SMTP_LISTEN": "",
            "BACKUP_DIR": str(backups),
            "BACKUP_KEEP_DAYS": "30",
            "HELPDESK": str(helpdesk),
        }
        done = subprocess.run([DEPLOY / "backup.sh"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        dump = Path(done.stdout.strip().splitlines()[-1])
        assert dump.exists() and not old.exists() and "removed old dump" in done.stdout
        target = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_restored"
        try:
            done = subprocess.run(
                [DEPLOY / "restore.sh", str(dump), target],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert "nienaruszony" in done.stdout and "the event log verifies" in done.stdout
            again = subprocess.run(
                [DEPLOY / "restore.sh", str(dump), target],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert again.returncode == 2 and "exists already" in again.stderr
            restored = make_container(target)
            try:
                assert restored.db.read(lambda tx: tx.head()) == head
            finally:
                restored.close()
        finally:
            admin = make_nullpool_engine(os.environ["HELPDESK_TEST_POSTGRES_URL"])
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{target.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()
