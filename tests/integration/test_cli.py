"""The `helpdesk` command: exit codes, one-line errors, the registry rules, the audit trail."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.support.calls import one_error_line, run
from tests.support.world import OFFICES, REPO


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = {
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_KB_DIR": str(REPO / "knowledge_base"),
        "HELPDESK_SMTP_LISTEN": "",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "offices.csv").write_text(OFFICES, encoding="utf-8")
    return tmp_path


def test_init_then_people_and_tokens(env, capsys):
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "offices", "import", str(env / "offices.csv"))[0] == 0
    code, out, _ = run(capsys, "offices", "list", "--json")
    assert code == 0 and {json.loads(line)["code"] for line in out.splitlines()} == {"1462011", "1419112"}
    code, out, _ = run(
        capsys,
        "users",
        "add",
        "--login",
        "lider.plock",
        "--name",
        "Piotr Lewandowski",
        "--role",
        "leader",
        "--jst",
        "1462011",
        "--email",
        "lider@plock.example.pl",
        "--json",
    )
    assert code == 0 and json.loads(out)["role"] == "leader"
    code, out, _ = run(capsys, "users", "token", "lider.plock")
    assert code == 0 and out.strip().startswith("hd_")
    code, out, _ = run(capsys, "users", "link-code", "lider.plock", "--json")
    assert code == 0 and len(json.loads(out)["code"]) == 8


def test_users_list_shows_everyone_blocked_ones_marked_and_filters_by_office_and_role(env, capsys):
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "offices", "import", str(env / "offices.csv"))[0] == 0
    for login, role, jst in (("lider.plock", "leader", "1462011"), ("urz.plock", "official", "1462011")):
        assert (
            run(capsys, "users", "add", "--login", login, "--name", login, "--role", role, "--jst", jst)[0]
            == 0
        )
    assert (
        run(capsys, "users", "add", "--login", "audytor", "--name", "Tomasz Zieliński", "--role", "auditor")[
            0
        ]
        == 0
    )
    assert run(capsys, "users", "disable", "urz.plock")[0] == 0
    code, out, _ = run(capsys, "users", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["login"] for r in rows] == ["audytor", "lider.plock", "urz.plock"]
    assert {r["login"]: r["active"] for r in rows} == {
        "audytor": True,
        "lider.plock": True,
        "urz.plock": False,
    }
    code, out, _ = run(capsys, "users", "list", "--office", "1462011", "--role", "official")
    assert code == 0 and "urz.plock" in out and "[zablokowana]" in out and "lider.plock" not in out
    assert out.strip().endswith("1 osoba.")
    assert "audytor" in run(capsys, "users", "list", "--role", "auditor")[1]
    code, _, err = run(capsys, "users", "list", "--role", "wizard")
    assert code == 2 and "nieznana rola 'wizard'" in one_error_line(err)
    code, _, err = run(capsys, "users", "list", "--office", "0000000")
    assert code == 2 and "nie ma urzędu o kodzie '0000000'" in one_error_line(err)


def test_an_office_refuses_a_leader_over_its_cap_and_a_second_representative(env, capsys):
    run(capsys, "init")
    run(capsys, "offices", "import", str(env / "offices.csv"))
    assert (
        run(capsys, "users", "add", "--login", "l1", "--name", "A", "--role", "leader", "--jst", "1419112")[0]
        == 0
    )
    code, _, err = run(
        capsys, "users", "add", "--login", "l2", "--name", "B", "--role", "leader", "--jst", "1419112"
    )
    assert code == 2 and "ma już komplet liderów (1 z 1)" in one_error_line(err)
    assert (
        run(
            capsys,
            "users",
            "add",
            "--login",
            "p1",
            "--name",
            "A",
            "--role",
            "representative",
            "--jst",
            "1419112",
        )[0]
        == 0
    )
    code, _, err = run(
        capsys, "users", "add", "--login", "p2", "--name", "B", "--role", "representative", "--jst", "1419112"
    )
    assert code == 2 and "przedstawiciel" in one_error_line(err)


def test_a_fourth_leader_is_refused_even_where_the_cap_allows_three(env, capsys):
    run(capsys, "init")
    (env / "big.csv").write_text(
        "code,name,type,employees,components,leaders_max\n"
        "1465011,Urząd m.st. Warszawy,powiat_grodzki,9000,EZD,3\n",
        encoding="utf-8",
    )
    run(capsys, "offices", "import", str(env / "big.csv"))
    for i in range(3):
        assert (
            run(
                capsys,
                "users",
                "add",
                "--login",
                f"l{i}",
                "--name",
                "L",
                "--role",
                "leader",
                "--jst",
                "1465011",
            )[0]
            == 0
        )
    code, _, err = run(
        capsys, "users", "add", "--login", "l4", "--name", "L", "--role", "leader", "--jst", "1465011"
    )
    assert code == 2 and one_error_line(err)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["users", "add", "--login", "xy", "--name", "X", "--role", "wizard"], "rola"),
        (["users", "add", "--login", "xy", "--name", "X", "--role", "agent"], "Wykonawc"),
        (
            ["users", "add", "--login", "xy", "--name", "X", "--role", "agent", "--contractor", "nobody"],
            "nobody",
        ),
        (["users", "add", "--login", "xy", "--name", "X", "--role", "official"], "--jst"),
        (["users", "add", "--login", "xy", "--name", "X", "--role", "official", "--jst", "0000000"], "urząd"),
        (["users", "add", "--login", "x y", "--name", "X", "--role", "auditor"], "login"),
        (
            ["users", "add", "--login", "xy", "--name", "X", "--role", "auditor", "--telegram-id", "abc"],
            "Telegram",
        ),
        (["users", "token", "ghost"], "ghost"),
        (["offices", "import", "/nonexistent.csv"], "nonexistent"),
        (["audit", "export", "--from", "yesterday"], "data"),
        (["audit", "verify", "--file", "/nonexistent.jsonl"], "nie ma takiego pliku ani katalogu"),
        (["sla", "replay", "/nonexistent.jsonl", "--contracts", str(REPO / "sla")], "nie ma takiego pliku"),
        (["offices", "import", "/tmp"], "to katalog, a nie plik"),
        (["frobnicate"], "frobnicate"),
        (["kb", "ask"], "pytania"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(env, capsys, args, needle):
    run(capsys, "init")
    code, _, err = run(capsys, *args)
    assert code == 2
    assert needle.lower() in one_error_line(err).lower()


@pytest.mark.parametrize(
    "content,needle",
    [
        ("code,name\n", "nagłówka"),
        ("code,name,type,employees,components,leaders_max\n12x,A,gmina_wiejska,1,EZD,1\n", "linia 2"),
        ("code,name,type,employees,components,leaders_max\n1419112,A,wioska,1,EZD,1\n", "wioska"),
        ("code,name,type,employees,components,leaders_max\n1419112,A,gmina_wiejska,1,WORD,1\n", "WORD"),
        ("code,name,type,employees,components,leaders_max\n1419112,A,gmina_wiejska,1,EZD,4\n", "leaders_max"),
    ],
)
def test_a_broken_registry_file_names_the_problem(env, capsys, content, needle):
    run(capsys, "init")
    (env / "bad.csv").write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "offices", "import", str(env / "bad.csv"))
    assert code == 2 and needle in one_error_line(err)


def test_a_broken_contract_stops_every_command_naming_the_file(env, capsys, monkeypatch):
    sla = env / "sla" / "contracts"
    sla.mkdir(parents=True)
    (sla / "zla.yaml").write_text(
        "id: zla\ncontractor: x\ncomponents: [EZD]\nperiod: {start: 2027-01-01}\n", encoding="utf-8"
    )
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(env / "sla"))
    code, _, err = run(capsys, "init")
    assert code == 2 and "zla.yaml" in one_error_line(err)


def demo_db(env, capsys):
    # The shipped articles have tests of their own; the audit trail does not depend on them.
    os.environ["HELPDESK_KB_DIR"] = str(env / "no-articles")
    assert run(capsys, "init", "--demo")[0] == 0
    return sqlite3.connect(env / "h.db")


def test_audit_export_is_json_lines_that_verify(env, capsys):
    demo_db(env, capsys)
    code, out, _ = run(capsys, "audit", "export")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(records) > 5
    assert {"ticket", "seq", "at", "type", "prev", "hash"} <= set(records[0])
    assert records[1]["prev"] == records[0]["hash"]
    code, out, _ = run(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE event SET data = replace(data, 'critical', 'low') WHERE type = 'escalated'",
        "UPDATE event SET at = '2020-01-01T00:00:00+01:00' WHERE id = 3",
        "UPDATE event SET actor = 'ktos.inny' WHERE id = 2",
        "DELETE FROM event WHERE id = 4",
        "INSERT INTO event (id, ticket_no, seq, at, at_utc, type, actor, data, prev, hash) "
        "SELECT 10000, ticket_no, 99, at, at_utc, 'commented', actor, '{}', prev, hash FROM event WHERE id = 5",
        "DELETE FROM event WHERE id = (SELECT max(id) FROM event)",
    ],
)
def test_any_change_to_stored_events_is_found_and_named(env, capsys, tamper):
    db = demo_db(env, capsys)
    db.execute(tamper)
    db.commit()
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1
    assert "naruszony" in err and ("zdarzenie nr" in err or "usunięto" in err)


def test_the_console_script_runs_and_fails_cleanly(env):
    proc = subprocess.run(
        [sys.executable, "-m", "helpdesk", "users", "token", "nobody"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["kb", "ask", "jak zresetować hasło"],
        ["users", "tokens", "lider.plock"],
        ["offices", "list"],
        ["audit", "verify"],
        ["outbox", "list"],
    ],
)
def test_a_command_before_init_says_to_run_init_not_that_the_database_is_down(env, capsys, args):
    code, _, err = run(capsys, *args)
    line = one_error_line(err)
    assert code == 2 and "helpdesk init" in line and "chwilowo" not in line, line
    assert run(capsys, "init")[0] == 0
    assert run(capsys, *args)[0] in (0, 2)  # now it runs (the person may not exist: a usage error)
