"""The notifiers on the in-memory fakes: every Telegram notice parses, every mail is escaped and threaded."""

from datetime import datetime

import pytest

from helpdesk.services.texts import Html, Texts
from helpdesk.services.tickets import NewTicket
from tests.support.fake_desk import DOMAIN, fake_desk
from tests.support.telegram_api import CannotParse, parse_telegram_html
from tests.support.world import WARSAW

NASTY = "Awaria <EZD> & ESB </b> &amp;"


def test_chat_texts_escape_what_is_inserted_and_keep_what_is_already_markup() -> None:
    texts = Texts({"n": {"t": "<b>{id}</b>: {title}{text}"}})
    body = texts("n.t", id="T-1", title=NASTY, text=Html("\n<i>ok</i>"))
    assert body == "<b>T-1</b>: Awaria &lt;EZD&gt; &amp; ESB &lt;/b&gt; &amp;amp;\n<i>ok</i>"
    assert isinstance(body, Html)
    assert Html("\n").join(["a<b", Html("<i>c</i>")]) == "a&lt;b\n<i>c</i>"
    assert "x & y" + Html("<b>z</b>") == "x &amp; y<b>z</b>"
    assert Html("<b>z</b>") + " & w" == "<b>z</b> &amp; w"
    with pytest.raises(CannotParse):  # what a raw title does to Telegram's HTML mode
        parse_telegram_html(f"<b>T-1</b>: {NASTY}")


def test_every_telegram_notice_of_a_ticket_s_life_parses_and_shows_the_title_as_written() -> None:
    desk = fake_desk()
    official, leader, agent = desk.people["urz.plock"], desk.people["lider.plock"], desk.agent_for("EZD")
    desk.db.write(lambda repo: repo.set_person(official.id, {"telegram_id": 5999}))
    desk.tickets.create(official, NewTicket(NASTY, f"Opis: {NASTY}", "EZD"))
    desk.tickets.act(leader, "T-000001", "take")
    desk.tickets.act(official, "T-000001", "comment", text=f"Dopisek {NASTY}")
    desk.tickets.act(leader, "T-000001", "reply", text=f"Odpowiedź {NASTY}")
    desk.tickets.act(leader, "T-000001", "escalate")
    desk.sweep.sweep(datetime(2027, 3, 2, 9, 1, tzinfo=WARSAW))
    desk.tickets.act(agent, "T-000001", "resolve", text=f"Naprawione {NASTY}")
    notices = desk.queued("telegram")
    kinds = {m["subject"].split()[1] for m in notices}
    assert kinds >= {"created", "commented", "replied", "escalated", "sla_breached", "resolved"}
    for message in notices:
        assert NASTY in parse_telegram_html(message["body"]), message["subject"]


def test_mail_notices_escape_the_html_part_and_thread_under_the_ticket() -> None:
    desk = fake_desk()
    desk.tickets.create(desk.people["urz.plock"], NewTicket(NASTY, "opis", "EZD"))
    [first, *_] = desk.queued("email")
    assert first["subject"] == f"[T-000001] Nowe zgłoszenie: {NASTY}"
    assert NASTY in first["body"] and NASTY not in first["html"]
    assert "Awaria &lt;EZD&gt; &amp; ESB &lt;/b&gt; &amp;amp;" in first["html"]
    root = f"<hd.1.thread@{DOMAIN}>"
    assert first["headers"]["In-Reply-To"] == root and first["headers"]["References"] == root
    assert first["headers"]["Message-ID"].startswith("<hd.1.1.")
