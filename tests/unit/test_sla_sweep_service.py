"""The SLA sweep on the in-memory fakes: its events go through the notifiers, once, in local time."""

from datetime import UTC, datetime

from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.tickets import NewTicket
from tests.support.fake_desk import FakeDesk, fake_desk
from tests.support.telegram_api import parse_telegram_html
from tests.support.world import WARSAW

TITLE = "Awaria <EZD> & ESB"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=WARSAW)


def escalated(desk: FakeDesk, title: str = TITLE) -> str:
    ticket = desk.tickets.create(desk.people["urz.plock"], NewTicket(title, "opis", "EZD"))
    desk.tickets.act(desk.people["lider.plock"], ticket["id"], "take")
    desk.tickets.act(desk.people["lider.plock"], ticket["id"], "escalate")
    return str(ticket["id"])


def sla_notices(desk: FakeDesk) -> list[dict]:
    return [m for m in desk.queued() if (m["dedupe"] or "").startswith("sla:")]


def test_a_warning_is_one_event_in_local_time_and_one_notice_per_person_and_channel() -> None:
    desk = fake_desk()
    ticket = escalated(desk)
    result = desk.sweep.sweep(at(1, 15, 30).astimezone(UTC))
    assert result.warnings == [(ticket, "reaction")]
    [warning] = [r for r in desk.db.repo.log if r["type"] == "sla_warning"]
    assert (warning["at"], warning["actor"]) == ("2027-03-01T15:30:00+01:00", "system")
    agent = desk.agent_for("EZD")
    assert sorted((m["channel"], m["recipient"]) for m in sla_notices(desk)) == sorted(
        [
            ("email", agent.email),
            ("email", "koordynator@example.pl"),
            ("telegram", str(agent.telegram_id)),
            ("telegram", "5004"),
        ]
    )
    assert result.notices == 4
    for message in sla_notices(desk):
        assert message["dedupe"].startswith("sla:1:reaction:warn:")
        if message["channel"] == "telegram":
            assert message["headers"]["parse_mode"] == "HTML"
            assert TITLE in parse_telegram_html(message["body"])
        else:
            assert TITLE in message["subject"] and "Termin upływa 02.03.2027 09:00." in message["body"]
            assert message["headers"]["In-Reply-To"] == "<hd.1.thread@helpdesk.example.pl>"


def test_more_ticks_and_a_second_sweeper_queue_nothing_more() -> None:
    desk = fake_desk()
    escalated(desk)
    desk.sweep.sweep(at(1, 15, 30))
    before = len(desk.queued())
    second = SlaSweep(desk.db, desk.sla, desk.recorder)
    for now in (at(1, 15, 31), at(1, 16, 0)):
        assert desk.sweep.sweep(now).notices == 0 and second.sweep(now).notices == 0
    assert len(desk.queued()) == before
    assert [r["type"] for r in desk.db.repo.log].count("sla_warning") == 1


def test_the_office_leaders_hear_no_clock_but_the_first_line_alerts_go_to_those_who_must_act() -> None:
    desk = fake_desk()
    escalated(desk)
    desk.sweep.sweep(at(2, 9, 1))  # straight past the breach: breach only, no late warning
    assert {m["recipient"] for m in sla_notices(desk)}.isdisjoint(
        {"lider.plock@example.pl", "lider2.plock@example.pl", "5001", "5002"}
    )
    desk = fake_desk()
    desk.tickets.create(desk.people["urz.plock"], NewTicket(TITLE, "opis", "EZD"))
    desk.sweep.sweep(at(1, 13, 0))
    level1 = sorted(m["recipient"] for m in sla_notices(desk) if m["channel"] == "email")
    assert level1 == ["lider.plock@example.pl", "lider2.plock@example.pl"]
    desk.sweep.sweep(at(2, 9, 0))
    level2 = sorted(m["recipient"] for m in sla_notices(desk) if ":first-line:2:" in m["dedupe"])
    assert level2 == ["5003", "5004", "koordynator@example.pl", "przedst.plock@example.pl"]
