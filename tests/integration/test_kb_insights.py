"""Feedback and learning on a real database: honest deflection, unanswered questions grouped by
similarity, drafts of articles from resolved tickets, and the `helpdesk kb report` commands."""

import json
from datetime import timedelta

import pytest

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import Article
from helpdesk.services.kb.insights import KbInsights, parse_period, question_key
from helpdesk.services.kb.matcher import KbAnswer
from helpdesk.services.tickets import NewTicket
from tests.support.calls import run
from tests.support.world import START, WARSAW, settings_for

ARTICLES = [
    Article(
        id="ezd-reset-hasla",
        title="Resetowanie hasła do EZD",
        component="EZD",
        tags=("hasło",),
        questions=("Jak zresetować hasło do EZD?",),
        body="Kliknij „Nie pamiętam hasła”.",
    ),
    Article(
        id="sprzet-toner",
        title="Zamawianie tonera do drukarki",
        component="SPRZET",
        tags=("drukarka",),
        questions=("Jak zamówić toner?",),
        body="Toner zamawia się u informatyka.",
    ),
]


class FakeKb:
    """Stands in for KbService.match: the article a ticket's text points to is set by the test."""

    def __init__(self) -> None:
        self.verdicts: dict[str, str] = {}
        self.asked: list[str] = []

    def match(self, text):
        self.asked.append(text)
        for needle, article in self.verdicts.items():
            if needle in text:
                return KbAnswer(answered=True, article_id=article, score=0.9, candidates=[(article, 0.9)]), {}
        return KbAnswer(answered=False, article_id=None, score=0.0, candidates=[]), {}


@pytest.fixture
def fake_kb():
    return FakeKb()


@pytest.fixture
def insights(container, world, fake_kb):
    container.kb.import_articles(ARTICLES)
    return KbInsights(container.db, container.clock, fake_kb, container.settings.tz)


def ask(container, person, text, *, article=None, component=None, helpful=None, ticket_no=None, at=None):
    values = {
        "at": at or container.clock.now(),
        "person_id": person.id if person else None,
        "office": person.jst if person else None,
        "channel": "api",
        "text": text,
        "answered": article is not None,
        "article_id": article,
        "component": component,
        "score": 0.9 if article else 0.1,
        "helpful": helpful,
        "ticket_no": ticket_no,
    }
    return container.db.write(lambda tx: tx.kb_record_query(values))


def open_ticket(container, person, title="Problem", description="", component=None):
    ticket = container.tickets.create(
        person, NewTicket(title=title, description=description, component=component)
    )
    return ticket["id"]


WEEK = parse_period("2027-03-01", "2027-03-07", WARSAW)


def report(insights, clock, **kw):
    return insights.deflection(*WEEK, now=clock.now(), **kw)


def test_an_answer_is_pending_for_seven_days_and_only_then_counts_as_deflected(
    container, world, insights, clock
):
    ask(
        container,
        world["urz.plock"],
        "Jak zresetować hasło do EZD?",
        article="ezd-reset-hasla",
        component="EZD",
    )
    total = report(insights, clock)["total"]
    assert total["answered"] == 1 and total["pending"] == 1
    assert total["deflected"] == 0 and total["rate"] is None
    clock.advance(days=7, minutes=1)
    total = report(insights, clock)["total"]
    assert total["pending"] == 0 and total["deflected"] == 1 and total["rate"] == 1.0


def test_a_ticket_on_the_same_component_within_seven_days_undoes_the_deflection(
    container, world, insights, clock
):
    ask(container, world["urz.plock"], "hasło EZD", article="ezd-reset-hasla", component="EZD")
    ask(container, world["urz2.plock"], "hasło EZD", article="ezd-reset-hasla", component="EZD")
    clock.advance(days=3)
    open_ticket(container, world["urz.plock"], "Nadal nie mogę się zalogować", component="EZD")
    # Another person's ticket, and a ticket on another subject, undo nothing.
    open_ticket(container, world["urz2.plock"], "Drukarka się zacina", component="SPRZET")
    clock.advance(days=5)
    rows = report(insights, clock)
    assert rows["total"]["followed_by_ticket"] == 1 and rows["total"]["deflected"] == 1
    assert rows["total"]["rate"] == 0.5
    ezd = next(r for r in rows["components"] if r["component"] == "EZD")
    assert (ezd["questions"], ezd["deflected"], ezd["followed_by_ticket"]) == (2, 1, 1)


def test_a_ticket_after_the_window_does_not_count_against_the_answer(container, world, insights, clock):
    ask(container, world["urz.plock"], "hasło EZD", article="ezd-reset-hasla", component="EZD")
    clock.advance(days=7, hours=1)
    open_ticket(container, world["urz.plock"], "Inny problem z EZD", component="EZD")
    assert report(insights, clock)["total"]["deflected"] == 1


def test_a_ticket_whose_text_the_matcher_maps_to_the_answered_article_is_the_same_subject(
    container, world, insights, clock, fake_kb
):
    ask(container, world["urz.plock"], "toner", article="sprzet-toner", component="SPRZET")
    ask(container, world["urz.slupno"], "toner", article="sprzet-toner", component="SPRZET")
    clock.advance(days=1)
    fake_kb.verdicts["toner"] = "sprzet-toner"
    open_ticket(container, world["urz.plock"], "Brak tonera", "Toner się skończył, co dalej?")  # no component
    open_ticket(container, world["urz.slupno"], "Nie działa skaner", "Skaner nie widzi komputera")
    clock.advance(days=7)
    rows = report(insights, clock)
    by_office = {r["office"]: r for r in rows["offices"]}
    assert by_office["1462011"]["followed_by_ticket"] == 1 and by_office["1462011"]["deflected"] == 0
    assert by_office["1419112"]["deflected"] == 1 and by_office["1419112"]["rate"] == 1.0


def test_unhelpful_linked_and_unanswered_questions_are_never_deflections(container, world, insights, clock):
    official = world["urz.plock"]
    ask(container, official, "a", article="ezd-reset-hasla", component="EZD", helpful=False)
    ask(container, official, "b", article="ezd-reset-hasla", component="EZD", ticket_no=99)
    ask(container, official, "c", article="ezd-reset-hasla", component="EZD", helpful=True)
    ask(container, official, "kiedy wigilia firmowa")
    ask(container, None, "anonimowe", article="ezd-reset-hasla", component="EZD")
    clock.advance(days=8)
    total = report(insights, clock)["total"]
    assert total == {
        "questions": 5,
        "answered": 4,
        "helpful": 1,
        "unhelpful": 1,
        "followed_by_ticket": 1,
        "pending": 0,
        "unverified": 1,
        "final": 4,
        "deflected": 1,
        "rate": 0.25,
    }


def test_a_leaders_report_holds_only_their_office_and_the_period_bounds_hold(
    container, world, insights, clock
):
    ask(container, world["urz.plock"], "x", article="ezd-reset-hasla", component="EZD")
    ask(container, world["urz.slupno"], "y", article="ezd-reset-hasla", component="EZD")
    ask(
        container,
        world["urz.slupno"],
        "z",
        article="ezd-reset-hasla",
        component="EZD",
        at=START + timedelta(days=7),
    )  # Monday 8 March: outside 1–7 March
    rows = report(insights, clock, office="1419112")
    assert [r["office"] for r in rows["offices"]] == ["1419112"] and rows["total"]["questions"] == 1


def test_the_period_is_whole_local_days_and_bad_dates_are_one_clear_error():
    since, until = parse_period("2027-03-01", "2027-03-31", WARSAW)
    assert (
        since.isoformat() == "2027-03-01T00:00:00+01:00" and until.isoformat() == "2027-04-01T00:00:00+02:00"
    )
    for args, needle in (
        (("2027-03-32", "2027-04-01"), "niepoprawna data"),
        (("2027-03-05", "2027-03-01"), "wcześniejsza"),
        ((None, "2027-03-01"), "podaj okres"),
    ):
        with pytest.raises(InvalidInput, match=needle):
            parse_period(*args, WARSAW)


def test_unanswered_questions_are_grouped_by_similarity_with_a_representative(container, world, insights):
    plock, slupno = world["urz.plock"], world["urz.slupno"]
    for person, text in [
        (plock, "Kiedy jest wigilia firmowa?"),
        (plock, "kiedy jest wigilia firmowa"),
        (slupno, "wigilia firmowa - kiedy?"),
        (plock, "kiedy jest wigilia firmowa w tym roku"),
        (plock, "Jak zgłosić urlop w systemie kadrowym?"),
        (slupno, "jak zglosic urlop w systemie kadrowym"),
        (plock, "Dzień dobry!"),
        (slupno, "dziękuję"),
    ]:
        ask(container, person, text)
    ask(container, plock, "Jak zresetować hasło do EZD?", article="ezd-reset-hasla", component="EZD")
    result = insights.unanswered(*WEEK)
    assert result["unanswered"] == 8 and result["small_talk"] == 2
    groups = result["groups"]
    assert [g["count"] for g in groups] == [4, 2]
    assert groups[0]["representative"] == "Kiedy jest wigilia firmowa?"
    assert groups[0]["offices"] == ["1419112", "1462011"] and groups[0]["by_office"] == {
        "1419112": 1,
        "1462011": 3,
    }
    assert groups[0]["people"] == 2 and groups[0]["examples"] == [
        "wigilia firmowa - kiedy?",
        "kiedy jest wigilia firmowa w tym roku",
    ]
    assert "urlop" in groups[1]["representative"].lower()
    assert [g["count"] for g in insights.unanswered(*WEEK, office="1419112")["groups"]] == [1, 1]


def test_one_word_questions_do_not_swallow_longer_ones_that_mention_the_word():
    assert question_key("Czy EZD działa?") != question_key("EZD drukarka skaner")
    assert question_key("Wigilia firmowa — kiedy?") == question_key("kiedy jest wigilia firmowa")


def resolved_ticket(container, world, office="plock"):
    official, leader = world[f"urz.{office}"], world[f"lider.{office}"]
    ticket = open_ticket(
        container,
        official,
        "Brak tonera w drukarce",
        "Drukarka w pokoju 12 pokazuje brak tonera.",
        component="SPRZET",
    )
    container.tickets.act(leader, ticket, "take")
    container.tickets.act(leader, ticket, "comment", text="Notatka wewnętrzna lidera")
    container.tickets.act(leader, ticket, "reply", text="Proszę wymienić kasetę z szafy w sekretariacie.")
    container.tickets.act(leader, ticket, "resolve", text="Kaseta wymieniona, drukarka drukuje.")
    return ticket


def test_a_leader_turns_a_resolved_ticket_into_a_draft_the_matcher_never_uses(
    container, world, insights, clock
):
    ticket = resolved_ticket(container, world)
    draft = insights.draft_from_ticket(world["lider.plock"], ticket)
    assert draft["id"] == "szkic-t-000001" and draft["status"] == "draft" and draft["ticket"] == ticket
    assert draft["title"] == "Brak tonera w drukarce" and draft["component"] == "SPRZET"
    assert draft["questions"] == ["Brak tonera w drukarce"] and draft["updated_by"] == "lider.plock"
    body = draft["body"]
    assert "pokoju 12" in body and "kasetę z szafy" in body and "Kaseta wymieniona" in body
    assert "Notatka wewnętrzna" not in body  # internal comments stay out of an article
    stored = container.db.read(lambda tx: tx.kb_article("szkic-t-000001"))
    assert stored["status"] == "draft"
    matcher, articles = container.kb.matcher()
    assert "szkic-t-000001" not in articles and len(matcher) == len(ARTICLES)
    assert (
        container.kb.answer("Brak tonera w drukarce", record=False)["article"] is None
        or container.kb.answer("Brak tonera w drukarce", record=False)["article"]["id"] != "szkic-t-000001"
    )
    with pytest.raises(NotFound):
        container.kb.article("szkic-t-000001")
    # Drafting again keeps history; a coordinator may draft too.
    clock.advance(hours=1)
    again = insights.draft_from_ticket(world["koordynator"], ticket)
    assert again["outcome"] == "unchanged"
    history = container.db.read(lambda tx: tx.kb_history("szkic-t-000001"))
    assert len(history) == 1


def test_only_office_leaders_and_coordinators_draft_and_only_from_resolved_tickets(
    container, world, insights
):
    ticket = resolved_ticket(container, world)
    for who in ("urz.plock", "przedst.plock", "audytor", "admin", "agent1"):
        with pytest.raises(Forbidden):
            insights.draft_from_ticket(world[who], ticket)
    with pytest.raises(NotFound):
        insights.draft_from_ticket(world["lider.slupno"], ticket)
    with pytest.raises(NotFound):
        insights.draft_from_ticket(world["lider.plock"], "T-000999")
    open_one = open_ticket(container, world["urz.plock"], "Otwarte", component="EZD")
    with pytest.raises(Conflict, match="rozwiązanego lub zamkniętego"):
        insights.draft_from_ticket(world["lider.plock"], open_one)
    container.tickets.act(world["lider.plock"], ticket, "close")
    assert insights.draft_from_ticket(world["lider.plock"], ticket)["status"] == "draft"


def test_a_published_article_with_the_draft_id_is_never_overwritten(container, world, insights):
    ticket = resolved_ticket(container, world)
    container.kb.import_articles(
        [
            Article(
                id="szkic-t-000001",
                title="Opublikowany",
                component="SPRZET",
                tags=(),
                questions=("Opublikowany?",),
                body="Treść.",
            )
        ]
    )
    with pytest.raises(Conflict, match="już opublikowany"):
        insights.draft_from_ticket(world["lider.plock"], ticket)


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    settings = settings_for(f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(settings.sla_dir))
    monkeypatch.setenv("HELPDESK_KB_DIR", str(tmp_path / "no-articles"))
    monkeypatch.setenv("HELPDESK_SMTP_LISTEN", "")
    return tmp_path


def test_the_cli_reports_deflection_and_unanswered_as_json_and_text(cli_env, capsys):
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(
        capsys, "kb", "report", "deflection", "--from", "2027-03-01", "--to", "2027-03-31", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["total"]["questions"] == 0 and data["window_days"] == 7
    code, out, _ = run(
        capsys, "kb", "report", "unanswered", "--from", "2027-03-01", "--to", "2027-03-31", "--json"
    )
    assert code == 0 and json.loads(out)["groups"] == []
    code, out, _ = run(capsys, "kb", "report", "deflection", "--from", "2027-03-01", "--to", "2027-03-31")
    assert code == 0 and "Komponenty" in out and "Razem" in out
    code, out, _ = run(capsys, "kb", "report", "unanswered", "--from", "2027-03-01", "--to", "2027-03-31")
    assert code == 0 and "Pytania bez odpowiedzi" in out


@pytest.mark.parametrize(
    "args, needle",
    [
        (["deflection", "--from", "2027-13-01", "--to", "2027-03-31"], "niepoprawna data"),
        (["unanswered", "--from", "2027-03-31", "--to", "2027-03-01"], "wcześniejsza"),
        (["deflection", "--to", "2027-03-01"], "--from"),
        (["nothing"], "nothing"),
    ],
)
def test_bad_report_input_is_one_line_and_exit_2(cli_env, capsys, args, needle):
    assert run(capsys, "init")[0] == 0
    code, _, err = run(capsys, "kb", "report", *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and needle in lines[0] and "Traceback" not in err, err
