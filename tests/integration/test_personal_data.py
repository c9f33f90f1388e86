"""Personal data (RODO): retention clears expired tickets while the audit log still verifies and the SLA
replays; one person's data exports as JSON; reads of other offices' tickets are logged; the chain
kept before personal content went apart is re-anchored honestly by migration 0008."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command

from helpdesk.adapters.db.migrate import alembic_config
from helpdesk.domain.audit import Anchor
from helpdesk.domain.errors import Conflict
from helpdesk.services.audit import verify_export, verify_log
from helpdesk.services.people_export import export_person
from helpdesk.services.sla.replay import replay
from helpdesk.services.tickets import File, NewTicket
from tests.support.world import contract_for

SECRET = "Pesel 84010112345 pani Zofii Wąskiej"
FILE_BYTES = b"skan-dowodu-osobistego-" + b"7" * 64


def closed_ticket(container, world, clock):
    """An escalated ticket full of personal text, resolved and closed; returns its id."""
    ticket = container.tickets.create(
        world["urz.plock"], NewTicket(title=f"Nie działa EZD – {SECRET}", description=SECRET, component="EZD")
    )
    tid = ticket["id"]
    container.tickets.act(world["urz.plock"], tid, "comment", text=f"Dopisuję: {SECRET}")
    container.tickets.attach(world["urz.plock"], tid, File("dowod.pdf", "application/pdf", FILE_BYTES))
    agent = next(p for p in world.values() if p.contractor == contract_for(container, "EZD").contractor)
    container.tickets.act(world["lider.plock"], tid, "escalate", priority="high", text=SECRET)
    clock.advance(hours=1)
    container.tickets.act(agent, tid, "resolve", text=f"Naprawione dla {SECRET}")
    container.tickets.act(world["urz.plock"], tid, "close")
    return tid


def database_bytes(container) -> bytes:
    path = Path(container.db.engine.url.database)
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_retention_clears_an_expired_ticket_and_the_log_still_verifies_and_replays(container, world, clock):
    tid = closed_ticket(container, world, clock)
    open_one = container.tickets.create(world["urz.plock"], NewTicket(title="Wciąż otwarte", description="x"))
    retention = container.trust.retention
    clock.advance(days=365 * 5 - 3)
    assert retention.run().tickets == []  # not yet five years
    clock.advance(days=10)
    result = retention.run()
    assert result.tickets == [tid] and result.events >= 4 and result.attachments == 1
    verdict = verify_log(container.db)
    assert verdict.ok, [p.describe() for p in verdict.problems]
    assert verdict.redacted >= 4
    stored = database_bytes(container)
    for needle in ("84010112345", "Wąskiej"):
        assert needle.encode("utf-8") not in stored
    assert FILE_BYTES not in stored
    seen = container.tickets.get(world["koordynator"], tid)
    assert "usunięto" in seen["title"] and SECRET not in json.dumps(seen, ensure_ascii=False)
    assert any(e["type"] == "personal_data_removed" for e in seen["events"])
    assert container.tickets.get(world["koordynator"], open_one["id"])["title"] == "Wciąż otwarte"
    export = container.db.read(lambda tx: [json.dumps(r, ensure_ascii=False) for r in tx.iter_log()])
    assert verify_export(export).ok
    rows = list(replay(export, container.contracts, clock.now()))
    assert [r["ticket"] for r in rows] == [tid] and rows[0]["metrics"]["fix"]["state"] == "met"
    assert retention.run().tickets == []  # cleared once


def test_one_persons_data_exports_as_json(container, world, clock):
    tid = closed_ticket(container, world, clock)
    data = export_person(container.db, "urz.plock", container.settings.tz)
    assert data["person"]["login"] == "urz.plock" and data["person"]["active"] is True
    assert [t["id"] for t in data["tickets"]] == [tid]
    assert any(SECRET in (e.get("text") or "") for e in data["tickets"][0]["events"])
    json.dumps(data, ensure_ascii=False)  # plain JSON all the way down
    leader = export_person(container.db, "lider.plock", container.settings.tz)
    assert {e["type"] for e in leader["actions_on_other_tickets"]} >= {"escalated"}


def test_people_export_on_the_command_line(tmp_path, monkeypatch, capsys):
    from tests.support.calls import one_error_line, run
    from tests.support.world import REPO

    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/h.db")
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(REPO / "sla"))
    monkeypatch.setenv("HELPDESK_KB_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("HELPDESK_SMTP_LISTEN", "")
    assert run(capsys, "init", "--demo")[0] == 0
    code, out, _ = run(capsys, "people", "export", "urzednik.plock")
    data = json.loads(out)
    assert code == 0 and data["person"]["name"] == "Katarzyna Nowak" and data["tickets"]
    code, _, err = run(capsys, "people", "export", "nikt")
    assert code == 2 and "nikt" in one_error_line(err)
    code, out, _ = run(capsys, "retention", "due", "--json")
    assert code == 0 and json.loads(out) == {"tickets": []}


def test_coordinators_and_auditors_reads_of_tickets_are_logged(container, world):
    ticket = container.tickets.create(world["urz.plock"], NewTicket(title="Skaner", description="x"))
    container.tickets.get(world["lider.plock"], ticket["id"])
    container.tickets.get(world["koordynator"], ticket["id"])
    container.tickets.get(world["audytor"], ticket["id"])
    entries = container.trust.access_log.entries()
    assert [(e["login"], e["ticket"], e["office"]) for e in entries] == [
        ("koordynator", ticket["id"], "1462011"),
        ("audytor", ticket["id"], "1462011"),
    ]


def test_migration_0008_re_anchors_the_old_chain_and_an_old_head_still_proves(container, world, clock):
    tid = closed_ticket(container, world, clock)
    config = alembic_config(container.db.engine)
    command.downgrade(
        config, "0009_kb_proposals"
    )  # the chain as the previous release kept it (flat, content hashed)
    old_head, old_count = container.db.read(lambda tx: tx.head())
    command.upgrade(config, "head")
    head, count = container.db.read(lambda tx: tx.head())
    assert count == old_count + 1 and head != old_head
    last = container.db.read(lambda tx: list(tx.iter_log()))[-1]
    assert last["ticket"] == "T-000000" and last["type"] == "log_reanchored"
    assert last["legacy_head"] == old_head and last["legacy_events"] == old_count
    verdict = verify_log(container.db, Anchor(old_head, old_count))
    assert verdict.ok and "odtworzony" in (verdict.anchor_note or "")
    assert not verify_log(container.db, Anchor("ab" * 32, old_count)).ok
    clock.advance(days=366 * 5 + 2)
    assert container.trust.retention.run().tickets == [tid]
    verdict = verify_log(container.db, Anchor(old_head, old_count))
    assert verdict.ok and "nie da się już odtworzyć" in (verdict.anchor_note or "")


def test_migration_0008_refuses_to_re_anchor_an_altered_chain(container, world, clock):
    closed_ticket(container, world, clock)
    config = alembic_config(container.db.engine)
    command.downgrade(config, "0009_kb_proposals")
    with container.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET data = replace(data, 'high', 'low') WHERE type = 'escalated'")
    with pytest.raises(Conflict, match="dziennik naruszony"):
        command.upgrade(config, "head")


def test_time_moves_on_the_manual_clock(clock):
    before = clock.now()
    clock.advance(days=1)
    assert clock.now() - before == timedelta(days=1)
