"""The audit log against an insider with the database: every kind of edit is found and named,
the head is anchored outside the database (checkpoints, `--head`, `--file`), reports refuse a log
their head does not describe, and a retention run leaves a log that still verifies."""

import json
import shutil
import sqlite3

import pytest

from tests.support.calls import one_error_line, run
from tests.support.world import REPO


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """One demo database for the module (each test works on its own copy)."""
    folder = tmp_path_factory.mktemp("demo")
    env = {
        "HELPDESK_DATABASE_URL": f"sqlite:///{folder}/h.db",
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_KB_DIR": str(folder / "no-articles"),
        "HELPDESK_SMTP_LISTEN": "",
    }
    mp = pytest.MonkeyPatch()
    for key, value in env.items():
        mp.setenv(key, value)
    from helpdesk.cli import main

    assert main(["init", "--demo"]) == 0
    mp.undo()
    return folder / "h.db"


@pytest.fixture
def env(tmp_path, monkeypatch, demo_file):
    shutil.copy(demo_file, tmp_path / "h.db")
    values = {
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_KB_DIR": str(tmp_path / "no-articles"),
        "HELPDESK_SMTP_LISTEN": "",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def sql(env, *statements):
    db = sqlite3.connect(env / "h.db")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def verify(capsys, *extra):
    code, out, err = run(capsys, "audit", "verify", *extra)
    assert "Traceback" not in err
    return code, out, err


def test_the_demo_log_verifies_with_its_ticket_rows(env, capsys):
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_an_event_stored_at_id_0_is_found_and_the_report_refuses_the_log(env, capsys):
    """A row at id 0 was once read by the history and the report, not by verify."""
    sql(
        env,
        "insert into event(id,ticket_no,seq,at,at_utc,type,actor,data,prev,hash) values (0,3,100,"
        "'2026-11-25T12:04:24+01:00','2026-11-25 11:04:24','resolved','agent.wykonawca-ezd','{\"text\":\"x\"}','x','y')",
    )
    code, _, err = verify(capsys)
    assert code == 1 and "identyfikator 0" in err and "T-000003" in err
    code, _, err = run(
        capsys, "report", "sla", "--from", "2026-01-01", "--to", "2027-12-31", "--format", "json"
    )
    assert code == 2 and "niespójny" in one_error_line(err)


def test_rewriting_the_last_event_with_a_recomputed_hash_is_found(env, capsys):
    """The head computed from the rows must equal log_head, and verify prints the computed one."""
    from helpdesk.domain.events import chain_hash

    db = sqlite3.connect(env / "h.db")
    row = db.execute(
        "select id, prev, data, type, ticket_no, seq, at, actor from event order by id desc limit 1"
    ).fetchone()
    data = json.loads(row[2])
    data["note"] = "dopisane"
    record = {"ticket": f"T-{row[4]:06d}", "seq": row[5], "at": row[6], "type": row[3], **data}
    if row[7] is not None:
        record["actor"] = row[7]
    new_hash = chain_hash(row[1], record)
    db.execute("update event set data = ?, hash = ? where id = ?", (json.dumps(data), new_hash, row[0]))
    db.commit()
    db.close()
    code, _, err = verify(capsys)
    assert code == 1 and "różni się od zapisanego" in err


def test_a_rewrite_that_also_moves_log_head_is_caught_by_an_earlier_head(env, capsys):
    from helpdesk.domain.events import chain_hash

    code, out, _ = verify(capsys, "--json")
    before = json.loads(out)
    db = sqlite3.connect(env / "h.db")
    row = db.execute(
        "select id, prev, data, type, ticket_no, seq, at, actor from event order by id desc limit 1"
    ).fetchone()
    record = {
        "ticket": f"T-{row[4]:06d}",
        "seq": row[5],
        "at": row[6],
        "type": row[3],
        **json.loads(row[2]),
        "x": 1,
    }
    if row[7] is not None:
        record["actor"] = row[7]
    new_hash = chain_hash(row[1], record)
    data = {k: v for k, v in record.items() if k not in ("ticket", "seq", "at", "type", "actor")}
    db.execute("update event set data = ?, hash = ? where id = ?", (json.dumps(data), new_hash, row[0]))
    db.execute("update log_head set last_hash = ?", (new_hash,))
    db.commit()
    db.close()
    assert verify(capsys)[0] == 0  # the database alone cannot tell …
    code, _, err = verify(capsys, "--head", before["head"], "--events", str(before["events"]))
    assert code == 1 and "przepisano" in err  # … the head kept outside it can


@pytest.mark.parametrize(
    "tamper,needle",
    [
        ("update event set data = '{bad' where id = 2", "nie jest poprawnym JSON"),
        ("update event set at = 'garbage' where id = 2", "niepoprawny czas"),
        (
            "update event set personal = '{bad' where id = (select min(id) from event where personal is not null)",
            "personal",
        ),
        ("update ticket set office = '1419112' where no = 1", "kolumna office"),
        (
            "update ticket set contractor = 'ktos-inny' where no = (select min(no) from ticket where escalated)",
            "kolumna contractor",
        ),
        ("update ticket set state = 'closed' where no = 1", "kolumna state"),
        (
            "update ticket set priority = 'low' where no = (select min(no) from ticket where escalated)",
            "kolumna priority",
        ),
        (
            "update ticket set author_id = (select id from person where login = 'lider.radom') where no = 1",
            "kolumna author",
        ),
        ("update event set at_utc = '2020-01-01 00:00:00.000000' where id = 3", "at_utc"),
    ],
)
def test_a_broken_row_or_a_projection_that_disagrees_is_named_never_a_traceback(env, capsys, tamper, needle):
    sql(env, tamper)
    code, _, err = verify(capsys)
    assert code == 1 and needle in err


def test_an_event_slipped_in_with_an_earlier_time_is_found(env, capsys):
    """A forged event appended as if long ago (all hashes recomputed) still breaks the ticket's order."""
    from helpdesk.adapters.db.store import SqlDatabase

    db = SqlDatabase(f"sqlite:///{env}/h.db")
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        at = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
        db.write(lambda tx: tx.append(1, "commented", "lider.plock", at, {"text": "dawno"}))
    finally:
        db.close()
    code, _, err = verify(capsys)
    assert code == 1 and "datą wsteczną" in err


def test_an_export_verifies_offline_and_a_changed_line_is_named(env, capsys):
    code, out, _ = run(capsys, "audit", "export")
    assert code == 0
    lines = out.splitlines()
    (env / "log.jsonl").write_text(out, encoding="utf-8")
    code, out, _ = verify(capsys, "--file", str(env / "log.jsonl"), "--json")
    assert code == 0 and json.loads(out)["events"] == len(lines)
    record = json.loads(lines[2])
    record["type"] = "resolved"
    lines[2] = json.dumps(record, ensure_ascii=False)
    (env / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = verify(capsys, "--file", str(env / "bad.jsonl"))
    assert code == 1 and "zdarzenie nr 3" in err
    (env / "worse.jsonl").write_text("{nie json\n", encoding="utf-8")
    code, _, err = verify(capsys, "--file", str(env / "worse.jsonl"))
    assert code == 1 and "wiersz 1" in err


def test_checkpoints_append_heads_and_a_later_rewrite_is_refused(env, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINT_FILE", str(env / "heads.jsonl"))
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINT_MAIL", "kontrola@example.pl")
    code, out, _ = run(capsys, "audit", "checkpoint", "--json")
    done = json.loads(out)
    assert code == 0 and done["recorded"] is True and done["mailed"] == ["kontrola@example.pl"]
    first = json.loads((env / "heads.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["head"] == done["head"] and first["events"] == done["events"]
    mail = (
        sqlite3.connect(env / "h.db")
        .execute("select subject, body from outbox where recipient = 'kontrola@example.pl'")
        .fetchone()
    )
    assert done["head"] in mail[1]
    assert verify(capsys, "--head", first["head"], "--events", str(first["events"]))[0] == 0
    sql(
        env,
        "delete from event where id = (select max(id) from event)",
        "update log_head set event_count = event_count - 1, last_hash = (select hash from event where id = (select max(id) from event))",
    )
    code, _, err = run(capsys, "audit", "checkpoint")
    assert code == 1 and "usunięto" in err
    assert len((env / "heads.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    alert = (
        sqlite3.connect(env / "h.db")
        .execute("select subject from outbox where subject like 'UWAGA%'")
        .fetchone()
    )
    assert alert is not None


def test_a_checkpoint_without_anywhere_to_go_says_so(env, capsys):
    code, _, err = run(capsys, "audit", "checkpoint")
    assert code == 2 and "HELPDESK_AUDIT_CHECKPOINT_FILE" in one_error_line(err)


def test_bad_verify_arguments_are_one_line(env, capsys):
    code, _, err = run(capsys, "audit", "verify", "--head", "xyz")
    assert code == 2 and "64" in one_error_line(err)
    code, _, err = run(capsys, "audit", "verify", "--events", "3")
    assert code == 2 and "--head" in one_error_line(err)


def test_every_exported_line_hashes_by_the_published_rule_alone(env, capsys):
    """An auditor's own verifier: SHA-256 over `prev` and the canonical JSON of the line without
    `prev` and `hash` (sorted keys, no spaces, UTF-8) — nothing else needs to be known."""
    import hashlib

    code, out, _ = run(capsys, "audit", "export")
    assert code == 0
    prev = "0" * 64
    for line in out.splitlines():
        record = json.loads(line)
        assert "personal" not in record  # personal content is not given to auditors by default
        body = {k: v for k, v in record.items() if k not in ("prev", "hash")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert record["prev"] == prev
        assert hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest() == record["hash"]
        prev = record["hash"]


def test_the_export_with_personal_content_still_verifies_offline(env, capsys):
    code, out, _ = run(capsys, "audit", "export", "--personal")
    assert code == 0 and any('"personal"' in line for line in out.splitlines())
    (env / "full.jsonl").write_text(out, encoding="utf-8")
    assert verify(capsys, "--file", str(env / "full.jsonl"))[0] == 0
