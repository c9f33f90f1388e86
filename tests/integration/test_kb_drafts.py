"""Reviewing drafts of articles on SQLite and PostgreSQL: who sees and edits which draft, edits checked
like imported files, publishing (answered from at once, other processes notice), discarding."""

import pytest

from helpdesk.adapters.files.articles import load_articles
from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import Article
from helpdesk.services import kb as kb_module
from helpdesk.services.kb import KbService
from helpdesk.services.kb_drafts import KbDrafts
from helpdesk.services.kb_insights import KbInsights
from helpdesk.services.tickets import NewTicket
from tests.support.world import REPO, populate

DRAFT = "szkic-t-000001"
QUESTION = "Jak podłączyć laptopa do rzutnika w sali narad?"


@pytest.fixture
def desk(any_container):
    """The container with the world, the shipped articles and one resolved ticket of Płock drafted."""
    container = any_container
    world = populate(container)
    container.kb.import_articles(load_articles([REPO / "knowledge_base"]))
    official, leader = world["urz.plock"], world["lider.plock"]
    ticket = container.tickets.create(official, NewTicket(
        title="Rzutnik nie wyświetla obrazu", description="W sali narad rzutnik pokazuje 'brak sygnału'.",
        component="SPRZET"))["id"]
    container.tickets.act(leader, ticket, "take")
    container.tickets.act(leader, ticket, "reply", text="Proszę przełączyć źródło na HDMI 2 pilotem.")
    container.tickets.act(leader, ticket, "resolve", text="Źródło przełączone, obraz jest.")
    insights = KbInsights(container.db, container.clock, container.kb, container.settings.tz)
    insights.draft_from_ticket(leader, ticket)
    drafts = KbDrafts(container.db, container.clock, container.kb, container.settings.tz)
    return container, world, drafts, insights, ticket


def test_a_resolved_ticket_becomes_a_draft_is_edited_published_and_then_answers_questions(desk):
    container, world, drafts, _insights, ticket = desk
    clock = container.clock
    assert container.kb.answer(QUESTION, record=False)["article"] is None or \
        container.kb.answer(QUESTION, record=False)["article"]["id"] != DRAFT
    clock.advance(minutes=5)
    edited = drafts.edit(world["lider.plock"], DRAFT, {
        "title": "Rzutnik w sali narad nie pokazuje obrazu",
        "questions": [QUESTION, "Rzutnik pokazuje brak sygnału"],
        "tags": ["rzutnik", "HDMI"],
        "body": "Przełącz źródło sygnału pilotem na **HDMI 2**.\n\nJeśli to nie pomaga, wymień kabel."})
    assert edited["outcome"] == "updated" and edited["version"] == 2 and edited["status"] == "draft"
    assert edited["drafted_by"] == "lider.plock" and edited["updated_by"] == "lider.plock"
    assert edited["ticket"] == ticket and edited["office"] == "1462011"
    clock.advance(minutes=5)
    published = drafts.publish(world["koordynator"], DRAFT)
    assert published["status"] == "published" and published["version"] == 3
    assert published["url"] == f"{container.settings.public_url}".rstrip("/") + f"/kb/{DRAFT}"
    assert [(v["version"], v["status"], v["by"]) for v in published["history"]] == [
        (1, "draft", "lider.plock"), (2, "draft", "lider.plock"), (3, "published", "koordynator")]
    assert published["history"][2]["at"].startswith("2027-03-01T09:10")

    answer = container.kb.answer(QUESTION, record=False)
    assert answer["answered"] and answer["article"]["id"] == DRAFT, answer
    assert answer["article"]["title"] == "Rzutnik w sali narad nie pokazuje obrazu"
    assert container.kb.article(DRAFT).questions == (QUESTION, "Rzutnik pokazuje brak sygnału")
    assert drafts.list_drafts(world["koordynator"]) == []
    with pytest.raises(NotFound, match="nie jest już szkicem"):
        drafts.get(world["koordynator"], DRAFT)


def test_leaders_see_and_edit_their_offices_drafts_coordinators_and_admins_every_draft(desk):
    _container, world, drafts, _insights, ticket = desk
    for who in ("lider.plock", "lider2.plock", "koordynator", "admin"):
        [item] = drafts.list_drafts(world[who])
        assert item["id"] == DRAFT and item["ticket"] == ticket and item["drafted_by"] == "lider.plock"
        assert item["drafted_at"] == "2027-03-01T09:00:00+01:00" and item["title"] == "Rzutnik nie wyświetla obrazu"
        assert drafts.get(world[who], DRAFT)["body"].startswith("**Problem:**")
    assert drafts.list_drafts(world["lider.slupno"]) == []
    with pytest.raises(NotFound):
        drafts.get(world["lider.slupno"], DRAFT)
    with pytest.raises(NotFound):
        drafts.edit(world["lider.slupno"], DRAFT, {"title": "Przejęty"})
    for who in ("urz.plock", "przedst.plock", "agent1", "audytor"):
        with pytest.raises(Forbidden):
            drafts.list_drafts(world[who])
        with pytest.raises(Forbidden):
            drafts.edit(world[who], DRAFT, {"title": "Nie wolno"})
        assert drafts.count(world[who]) == 0
    assert drafts.edit(world["lider2.plock"], DRAFT, {"title": "Poprawiony"})["updated_by"] == "lider2.plock"
    assert drafts.edit(world["admin"], DRAFT, {"component": "sprzet"})["outcome"] == "unchanged"


def test_only_coordinators_and_admins_publish_or_discard(desk):
    _container, world, drafts, *_ = desk
    for who in ("lider.plock", "urz.plock", "przedst.plock", "agent1", "audytor"):
        with pytest.raises(Forbidden, match="koordynatorzy i administratorzy"):
            drafts.publish(world[who], DRAFT)
        with pytest.raises(Forbidden):
            drafts.discard(world[who], DRAFT)
    assert drafts.get(world["admin"], DRAFT)["status"] == "draft"
    assert drafts.publish(world["admin"], DRAFT)["updated_by"] == "admin"


def test_publishing_what_is_not_a_draft_is_a_conflict_and_an_unknown_or_bad_id_is_not_found_or_invalid(desk):
    _container, world, drafts, *_ = desk
    boss = world["koordynator"]
    with pytest.raises(Conflict, match="już opublikowany"):
        drafts.publish(boss, "konto-reset-hasla")
    with pytest.raises(Conflict, match="już opublikowany"):
        drafts.edit(world["lider.plock"], "konto-reset-hasla", {"title": "Przejęty"})
    drafts.publish(boss, DRAFT)
    with pytest.raises(Conflict, match="już opublikowany"):
        drafts.publish(boss, DRAFT)
    with pytest.raises(Conflict):
        drafts.discard(boss, DRAFT)
    with pytest.raises(NotFound, match="nie ma szkicu"):
        drafts.publish(boss, "szkic-t-000777")
    for bad in ("Zle_ID", "", "a" * 129, "x/../y", "\x00"):
        with pytest.raises(InvalidInput, match="niepoprawny identyfikator"):
            drafts.publish(boss, bad)


def test_a_discarded_draft_keeps_its_history_and_is_never_listed_shown_answered_or_revived(desk):
    container, world, drafts, insights, ticket = desk
    boss = world["koordynator"]
    drafts.edit(world["lider.plock"], DRAFT, {"questions": [QUESTION]})
    discarded = drafts.discard(boss, DRAFT)
    assert discarded["status"] == "discarded" and discarded["url"] is None
    assert [v["status"] for v in discarded["history"]] == ["draft", "draft", "discarded"]
    assert drafts.list_drafts(boss) == [] and drafts.list_drafts(world["lider.plock"]) == []
    with pytest.raises(NotFound):
        drafts.get(boss, DRAFT)
    with pytest.raises(NotFound):
        container.kb.article(DRAFT)
    answer = container.kb.answer(QUESTION, record=False)
    assert answer["article"] is None or answer["article"]["id"] != DRAFT
    assert DRAFT not in container.kb.matcher()[1]
    with pytest.raises(Conflict, match="odrzucony"):
        drafts.publish(boss, DRAFT)
    with pytest.raises(Conflict, match="odrzucony"):
        drafts.edit(boss, DRAFT, {"title": "Jeszcze raz"})
    with pytest.raises(Conflict, match="odrzucony"):
        insights.draft_from_ticket(world["lider.plock"], ticket)
    assert len(container.db.read(lambda tx: tx.kb_history(DRAFT))) == 3


@pytest.mark.parametrize("changes, needle", [
    ({"title": ""}, "'title'"), ({"title": "   "}, "'title'"), ({"title": None}, "'title'"),
    ({"title": "x" * 201}, "'title' jest za długie"), ({"title": "dwie\nlinie"}, "'title'"),
    ({"title": ["lista"]}, "'title' musi być tekstem"), ({"title": True}, "'title' musi być tekstem"),
    ({"component": "KAWA"}, "'component': nieznany komponent 'KAWA'"), ({"component": 7}, "'component'"),
    ({"component": ""}, "'component'"),
    ({"tags": {"a": 1}}, "'tags' musi być listą"), ({"tags": [["zagnieżdżona"]]}, "'tags'"),
    ({"tags": ["x" * 61]}, "'tags' jest za długa"), ({"questions": ["q"] * 51}, "'questions' może mieć najwyżej 50"),
    ({"questions": ["dobre", None]}, "'questions' musi być listą"), ({"questions": 5}, "'questions'"),
    ({"body": ""}, "'body'"), ({"body": "x" * 100_001}, "'body' jest za długie"),
    ({"body": "ma\x00zero"}, "'body' zawiera niedozwolone znaki"),
    ({"id": "inne-id"}, "nieznane pola: id"), ({"nieznane": 1}, "nieznane pola: nieznane"),
    ({}, "co najmniej jedno pole"),
])
def test_an_edit_is_checked_like_an_imported_article_and_the_error_names_the_field(desk, changes, needle):
    _container, world, drafts, *_ = desk
    with pytest.raises(InvalidInput) as err:
        drafts.edit(world["koordynator"], DRAFT, changes)
    assert needle in str(err.value)
    assert drafts.get(world["koordynator"], DRAFT)["version"] == 1


def test_an_edit_on_a_stale_version_is_a_conflict_naming_who_changed_it(desk):
    _container, world, drafts, *_ = desk
    assert drafts.edit(world["lider.plock"], DRAFT, {"title": "Pierwsza poprawka"}, version=1)["version"] == 2
    with pytest.raises(Conflict, match=r"lider\.plock.*wersja 2"):
        drafts.edit(world["koordynator"], DRAFT, {"title": "Druga poprawka"}, version=1)
    with pytest.raises(Conflict, match="wersja 2"):
        drafts.publish(world["koordynator"], DRAFT, version=1)
    with pytest.raises(InvalidInput, match="'version'"):
        drafts.edit(world["koordynator"], DRAFT, {"title": "x"}, version="2")  # type: ignore[arg-type]
    assert drafts.publish(world["koordynator"], DRAFT, version=2)["version"] == 3


def test_drafting_the_same_ticket_again_keeps_what_reviewers_edited(desk):
    _container, world, drafts, insights, ticket = desk
    drafts.edit(world["lider.plock"], DRAFT, {"title": "Po redakcji"})
    again = insights.draft_from_ticket(world["koordynator"], ticket)
    assert again["outcome"] == "unchanged" and again["title"] == "Po redakcji"


def test_a_stored_draft_that_breaks_the_rules_is_refused_on_publish_with_the_field(desk):
    container, world, drafts, *_ = desk
    container.db.write(lambda tx: tx.kb_upsert({"id": "szkic-t-000099", "title": "Bez komponentu", "component": "",
                                                "tags": [], "questions": [], "body": "Treść."},
                                               container.clock.now(), "test", status="draft"))
    assert [d["id"] for d in drafts.list_drafts(world["koordynator"])] == [DRAFT, "szkic-t-000099"]
    assert [d["id"] for d in drafts.list_drafts(world["lider.plock"])] == [DRAFT]  # no ticket, no office
    with pytest.raises(Conflict, match=r"nie można opublikować.*'component'"):
        drafts.publish(world["koordynator"], "szkic-t-000099")
    assert drafts.publish(world["koordynator"], "szkic-t-000099", {"component": "EZD"})["status"] == "published"


def test_publishing_changes_the_stamp_at_the_same_instant_and_another_process_notices(desk, monkeypatch):
    container, world, drafts, *_ = desk
    drafts.edit(world["lider.plock"], DRAFT, {"questions": [QUESTION]})
    # Another worker process: its own KbService over the same database, index already built.
    other = KbService(container.db, container.clock, container.settings)
    assert DRAFT not in other.matcher()[1] and DRAFT not in container.kb.matcher()[1]
    before = container.db.read(lambda tx: tx.kb_stamp())
    drafts.publish(world["koordynator"], DRAFT)  # the manual clock has not moved since the edit
    after = container.db.read(lambda tx: tx.kb_stamp())
    assert after != before
    # This process answers from it at once …
    assert container.kb.answer(QUESTION, record=False)["article"]["id"] == DRAFT
    # … the other once its next stamp check is due.
    assert DRAFT not in other.matcher()[1]
    monkeypatch.setattr(kb_module, "STAMP_CHECK_SECONDS", 0.0)
    assert DRAFT in other.matcher()[1]
    assert other.answer(QUESTION, record=False)["article"]["id"] == DRAFT


def test_discarding_also_changes_the_stamp(desk):
    container, world, drafts, *_ = desk
    before = container.db.read(lambda tx: tx.kb_stamp())
    drafts.discard(world["admin"], DRAFT)
    assert container.db.read(lambda tx: tx.kb_stamp()) != before


def test_an_article_imported_under_a_draft_id_is_published_like_before(desk):
    container, world, drafts, *_ = desk
    container.kb.import_articles([Article(id=DRAFT, title="Z pliku", component="SPRZET", questions=(QUESTION,),
                                          body="Treść z pliku.")])
    assert drafts.list_drafts(world["koordynator"]) == []
    assert container.kb.article(DRAFT).title == "Z pliku"
