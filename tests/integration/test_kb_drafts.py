"""Reviewing drafts of articles on SQLite and PostgreSQL: who sees and edits which draft, edits checked
like imported files, publishing (under its final id, answered from at once, other processes notice),
discarding."""

import json

import pytest

from helpdesk.adapters.db.kb_store import KbTxMixin
from helpdesk.adapters.files.articles import load_articles
from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import Article
from helpdesk.services.kb import answers as kb_module
from helpdesk.services.kb.answers import KbService
from helpdesk.services.kb.drafts import DraftPublished, KbDrafts
from helpdesk.services.kb.insights import KbInsights
from helpdesk.services.tickets import NewTicket
from tests.support.world import REPO, populate

DRAFT = "szkic-t-000001"
NEW_ID = "sprzet-rzutnik-nie-wyswietla-obrazu"  # SPRZET + "Rzutnik nie wyświetla obrazu"
QUESTION = "Jak podłączyć laptopa do rzutnika w sali narad?"


@pytest.fixture
def desk(any_container):
    """The container with the world, the shipped articles and one resolved ticket of Płock drafted."""
    container = any_container
    world = populate(container)
    container.kb.import_articles(load_articles([REPO / "knowledge_base"]))
    official, leader = world["urz.plock"], world["lider.plock"]
    ticket = container.tickets.create(
        official,
        NewTicket(
            title="Rzutnik nie wyświetla obrazu",
            description="W sali narad rzutnik pokazuje 'brak sygnału'.",
            component="SPRZET",
        ),
    )["id"]
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
    assert (
        container.kb.answer(QUESTION, record=False)["article"] is None
        or container.kb.answer(QUESTION, record=False)["article"]["id"] != DRAFT
    )
    clock.advance(minutes=5)
    edited = drafts.edit(
        world["lider.plock"],
        DRAFT,
        {
            "title": "Rzutnik w sali narad nie pokazuje obrazu",
            "questions": [QUESTION, "Rzutnik pokazuje brak sygnału"],
            "tags": ["rzutnik", "HDMI"],
            "body": "Przełącz źródło sygnału pilotem na **HDMI 2**.\n\nJeśli to nie pomaga, wymień kabel.",
        },
    )
    assert edited["outcome"] == "updated" and edited["version"] == 2 and edited["status"] == "draft"
    assert edited["drafted_by"] == "lider.plock" and edited["updated_by"] == "lider.plock"
    assert edited["ticket"] == ticket and edited["office"] == "1462011"
    clock.advance(minutes=5)
    published = drafts.publish(world["koordynator"], DRAFT)
    final = "sprzet-rzutnik-w-sali-narad-nie-pokazuje-obrazu"  # from the edited title
    assert published["id"] == final and published["renamed_from"] == DRAFT
    assert published["status"] == "published" and published["version"] == 3
    assert published["url"] == f"{container.settings.public_url}".rstrip("/") + f"/kb/{final}"
    assert [(v["version"], v["status"], v["by"]) for v in published["history"]] == [
        (1, "draft", "lider.plock"),
        (2, "draft", "lider.plock"),
        (3, "published", "koordynator"),
    ]
    assert published["history"][2]["at"].startswith("2027-03-01T09:10")

    answer = container.kb.answer(QUESTION, record=False)
    assert answer["answered"] and answer["article"]["id"] == final, answer
    assert answer["article"]["title"] == "Rzutnik w sali narad nie pokazuje obrazu"
    assert container.kb.article(final).questions == (QUESTION, "Rzutnik pokazuje brak sygnału")
    assert drafts.list_drafts(world["koordynator"]) == []
    with pytest.raises(NotFound, match=f"nie jest już szkicem: opublikowano go jako artykuł '{final}'"):
        drafts.get(world["koordynator"], DRAFT)


def test_leaders_see_and_edit_their_offices_drafts_coordinators_and_admins_every_draft(desk):
    _container, world, drafts, _insights, ticket = desk
    for who in ("lider.plock", "lider2.plock", "koordynator", "admin"):
        [item] = drafts.list_drafts(world[who])
        assert item["id"] == DRAFT and item["ticket"] == ticket and item["drafted_by"] == "lider.plock"
        assert (
            item["drafted_at"] == "2027-03-01T09:00:00+01:00"
            and item["title"] == "Rzutnik nie wyświetla obrazu"
        )
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
    with pytest.raises(Conflict, match="już opublikowany"):
        drafts.publish(boss, NEW_ID)
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


@pytest.mark.parametrize(
    "changes, needle",
    [
        ({"title": ""}, "'title'"),
        ({"title": "   "}, "'title'"),
        ({"title": None}, "'title'"),
        ({"title": "x" * 201}, "'title' jest za długie"),
        ({"title": "dwie\nlinie"}, "'title'"),
        ({"title": ["lista"]}, "'title' musi być tekstem"),
        ({"title": True}, "'title' musi być tekstem"),
        ({"component": "KAWA"}, "'component': nieznany komponent 'KAWA'"),
        ({"component": 7}, "'component'"),
        ({"component": ""}, "'component'"),
        ({"tags": {"a": 1}}, "'tags' musi być listą"),
        ({"tags": [["zagnieżdżona"]]}, "'tags'"),
        ({"tags": ["x" * 61]}, "'tags' jest za długa"),
        ({"questions": ["q"] * 51}, "'questions' może mieć najwyżej 50"),
        ({"questions": ["dobre", None]}, "'questions' musi być listą"),
        ({"questions": 5}, "'questions'"),
        ({"body": ""}, "'body'"),
        ({"body": "x" * 100_001}, "'body' jest za długie"),
        ({"body": "ma\x00zero"}, "'body' zawiera niedozwolone znaki"),
        ({"id": "inne-id"}, "nieznane pola: id"),
        ({"nieznane": 1}, "nieznane pola: nieznane"),
        ({}, "co najmniej jedno pole"),
    ],
)
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
    container.db.write(
        lambda tx: tx.kb_upsert(
            {
                "id": "szkic-t-000099",
                "title": "Bez komponentu",
                "component": "",
                "tags": [],
                "questions": [],
                "body": "Treść.",
            },
            container.clock.now(),
            "test",
            status="draft",
        )
    )
    assert [d["id"] for d in drafts.list_drafts(world["koordynator"])] == [DRAFT, "szkic-t-000099"]
    assert [d["id"] for d in drafts.list_drafts(world["lider.plock"])] == [DRAFT]  # no ticket, no office
    with pytest.raises(Conflict, match=r"nie można opublikować.*'component'"):
        drafts.publish(world["koordynator"], "szkic-t-000099")
    assert (
        drafts.publish(world["koordynator"], "szkic-t-000099", {"component": "EZD"})["status"] == "published"
    )


def test_publishing_changes_the_stamp_at_the_same_instant_and_another_process_notices(desk, monkeypatch):
    container, world, drafts, *_ = desk
    drafts.edit(world["lider.plock"], DRAFT, {"questions": [QUESTION]})
    # Another worker process: its own KbService over the same database, index already built.
    other = KbService(container.db, container.clock, container.settings, morphology=container.kb.morphology)
    assert NEW_ID not in other.matcher()[1] and NEW_ID not in container.kb.matcher()[1]
    before = container.db.read(lambda tx: tx.kb_stamp())
    drafts.publish(world["koordynator"], DRAFT)  # the manual clock has not moved since the edit
    after = container.db.read(lambda tx: tx.kb_stamp())
    assert after != before
    # This process answers from it at once …
    assert container.kb.answer(QUESTION, record=False)["article"]["id"] == NEW_ID
    # … the other once its next stamp check is due.
    assert NEW_ID not in other.matcher()[1]
    monkeypatch.setattr(kb_module, "STAMP_CHECK_SECONDS", 0.0)
    assert NEW_ID in other.matcher()[1] and DRAFT not in other.matcher()[1]
    assert other.answer(QUESTION, record=False)["article"]["id"] == NEW_ID


def test_discarding_also_changes_the_stamp(desk):
    container, world, drafts, *_ = desk
    before = container.db.read(lambda tx: tx.kb_stamp())
    drafts.discard(world["admin"], DRAFT)
    assert container.db.read(lambda tx: tx.kb_stamp()) != before


def test_an_article_imported_under_a_draft_id_is_published_like_before(desk):
    container, world, drafts, *_ = desk
    container.kb.import_articles(
        [Article(id=DRAFT, title="Z pliku", component="SPRZET", questions=(QUESTION,), body="Treść z pliku.")]
    )
    assert drafts.list_drafts(world["koordynator"]) == []
    assert container.kb.article(DRAFT).title == "Z pliku"


# --- the final id on publishing -----------------------------------------------------------------


def _article_ids(container):
    return container.db.read(
        lambda tx: {
            a["id"]: a["status"] for s in ("published", "draft", "discarded") for a in tx.kb_articles(s)
        }
    )


def test_a_draft_is_published_under_an_id_made_of_component_and_title_with_its_whole_history(desk):
    container, world, drafts, _insights, ticket = desk
    drafts.edit(world["lider.plock"], DRAFT, {"questions": [QUESTION]})
    assert drafts.get(world["koordynator"], DRAFT)["suggested_id"] == NEW_ID
    assert drafts.list_drafts(world["lider.plock"])[0]["suggested_id"] == NEW_ID
    published = drafts.publish(world["koordynator"], DRAFT)
    assert (published["id"], published["renamed_from"], published["ticket"]) == (NEW_ID, DRAFT, ticket)
    assert published["office"] == "1462011" and published["suggested_id"] is None
    assert published["url"].endswith(f"/kb/{NEW_ID}")
    assert [(h["version"], h["status"], h["renamed_from"]) for h in published["history"]] == [
        (1, "draft", None),
        (2, "draft", None),
        (3, "published", DRAFT),
    ]
    # The history lives under the new id; the draft id is no article any more.
    history = container.db.read(lambda tx: tx.kb_history(NEW_ID))
    assert [(v["version"], json.loads(v["data"])["status"]) for v in history] == [
        (1, "draft"),
        (2, "draft"),
        (3, "published"),
    ]
    assert container.db.read(lambda tx: tx.kb_history(DRAFT)) == []
    assert container.db.read(lambda tx: tx.kb_article(DRAFT)) is None
    assert DRAFT not in _article_ids(container)
    with pytest.raises(NotFound):
        container.kb.article(DRAFT)
    assert container.kb.article(NEW_ID).questions == (QUESTION,)
    assert container.kb.answer(QUESTION, record=False)["article"]["id"] == NEW_ID
    # Where the old id went: for pages (redirect) and for anyone asking for the draft.
    assert drafts.published_as(DRAFT) == NEW_ID
    for other in (NEW_ID, "szkic-t-000002", "szkic-t-1", "Zle_ID", "", None, 5):
        assert drafts.published_as(other) is None
    with pytest.raises(DraftPublished) as err:
        drafts.get(world["lider.slupno"], DRAFT)
    assert err.value.article_id == NEW_ID and f"'{NEW_ID}'" in str(err.value)
    for change in (
        lambda: drafts.edit(world["lider.plock"], DRAFT, {"title": "Za późno"}),
        lambda: drafts.publish(world["koordynator"], DRAFT),
        lambda: drafts.discard(world["admin"], DRAFT),
    ):
        with pytest.raises(Conflict, match=f"już opublikowany jako artykuł '{NEW_ID}'"):
            change()


def test_a_draft_is_published_under_the_id_the_publisher_gives(desk):
    container, world, drafts, *_ = desk
    published = drafts.publish(world["koordynator"], DRAFT, new_id="  sprzet-rzutnik-brak-sygnalu ")
    assert published["id"] == "sprzet-rzutnik-brak-sygnalu" and published["renamed_from"] == DRAFT
    assert container.kb.article("sprzet-rzutnik-brak-sygnalu").title == "Rzutnik nie wyświetla obrazu"
    assert drafts.published_as(DRAFT) == "sprzet-rzutnik-brak-sygnalu"
    assert NEW_ID not in _article_ids(container)


def test_last_changes_and_the_id_are_published_together_and_the_id_follows_the_final_title(desk):
    _container, world, drafts, *_ = desk
    published = drafts.publish(
        world["koordynator"], DRAFT, {"title": "Źródło HDMI: ekran bez obrazu", "component": "SKANOWANIE"}
    )
    assert published["id"] == "skanowanie-zrodlo-hdmi-ekran-bez-obrazu" and published["version"] == 2


def test_a_derived_id_taken_by_any_article_gets_the_next_free_number(desk):
    container, world, drafts, *_ = desk
    now = container.clock.now()

    def store(article_id, status):
        container.db.write(
            lambda tx: tx.kb_upsert(
                {
                    "id": article_id,
                    "title": "Zajęte",
                    "component": "SPRZET",
                    "tags": [],
                    "questions": [],
                    "body": "Treść.",
                },
                now,
                "test",
                status=status,
            )
        )

    store(NEW_ID, "published")
    assert drafts.get(world["koordynator"], DRAFT)["suggested_id"] == f"{NEW_ID}-2"
    store(f"{NEW_ID}-2", "discarded")
    store(f"{NEW_ID}-3", "draft")
    store(f"{NEW_ID}-zly", "published")  # not a number: does not count
    assert drafts.get(world["koordynator"], DRAFT)["suggested_id"] == f"{NEW_ID}-4"
    assert drafts.publish(world["koordynator"], DRAFT)["id"] == f"{NEW_ID}-4"


@pytest.mark.parametrize("status", ["published", "draft", "discarded"])
def test_a_given_id_taken_by_any_article_is_a_conflict_naming_it_and_nothing_changes(desk, status):
    container, world, drafts, *_ = desk
    container.db.write(
        lambda tx: tx.kb_upsert(
            {
                "id": "sprzet-zajete",
                "title": "Cudzy artykuł",
                "component": "SPRZET",
                "tags": [],
                "questions": [],
                "body": "Treść.",
            },
            container.clock.now(),
            "test",
            status=status,
        )
    )
    with pytest.raises(Conflict) as err:
        drafts.publish(world["koordynator"], DRAFT, {"title": "Poprawka"}, new_id="sprzet-zajete")
    assert "id 'sprzet-zajete' jest już zajęte" in str(err.value) and "Cudzy artykuł" in str(err.value)
    with pytest.raises(Conflict, match="'konto-reset-hasla' jest już zajęte"):
        drafts.publish(world["koordynator"], DRAFT, new_id="konto-reset-hasla")
    draft = drafts.get(world["koordynator"], DRAFT)
    assert (
        draft["status"] == "draft"
        and draft["version"] == 1
        and draft["title"] == "Rzutnik nie wyświetla obrazu"
    )
    assert container.db.read(lambda tx: tx.kb_article("sprzet-zajete"))["title"] == "Cudzy artykuł"


@pytest.mark.parametrize(
    "bad, needle",
    [
        (5, "'id' musi być tekstem"),
        (True, "'id' musi być tekstem"),
        (["a-b"], "'id' musi być tekstem"),
        ({"id": "a"}, "'id' musi być tekstem"),
        ("", "'id' nie może być puste"),
        ("   ", "'id' nie może być puste"),
        ("a" * 129, "za długie"),
        ("Sprzet-Rzutnik", "tylko małe litery"),
        ("sprzet_rzutnik", "tylko małe litery"),
        ("sprzęt-rzutnik", "tylko małe litery"),
        ("sprzet--rzutnik", "tylko małe litery"),
        ("-sprzet", "tylko małe litery"),
        ("a/../b", "tylko małe litery"),
        ("dwie\nlinie", "tylko małe litery"),
        ("szkic-t-000001", "zarezerwowane dla szkiców"),
        ("szkic-t-000777", "zarezerwowane dla szkiców"),
    ],
)
def test_a_bad_id_is_refused_before_anything_changes(desk, bad, needle):
    container, world, drafts, *_ = desk
    with pytest.raises(InvalidInput) as err:
        drafts.publish(world["koordynator"], DRAFT, new_id=bad)
    assert needle in str(err.value) and "'id'" in str(err.value)
    assert drafts.get(world["koordynator"], DRAFT)["status"] == "draft"
    assert len(container.db.read(lambda tx: tx.kb_history(DRAFT))) == 1


def test_a_failure_after_the_rename_undoes_the_rename_too(desk, monkeypatch):
    container, world, drafts, *_ = desk
    drafts.edit(world["lider.plock"], DRAFT, {"title": "Rzutnik: brak sygnału"})
    real_upsert = KbTxMixin.kb_upsert

    def failing_upsert(self, values, at, actor, status="published", **kwargs):
        if status == "published":
            raise RuntimeError("awaria w połowie publikacji")
        return real_upsert(self, values, at, actor, status, **kwargs)

    monkeypatch.setattr(KbTxMixin, "kb_upsert", failing_upsert)
    with pytest.raises(RuntimeError):
        drafts.publish(world["koordynator"], DRAFT, new_id="sprzet-brak-sygnalu")
    monkeypatch.undo()
    assert container.db.read(lambda tx: tx.kb_article("sprzet-brak-sygnalu")) is None
    assert container.db.read(lambda tx: tx.kb_history("sprzet-brak-sygnalu")) == []
    draft = drafts.get(world["koordynator"], DRAFT)
    assert draft["status"] == "draft" and [h["version"] for h in draft["history"]] == [1, 2]
    assert drafts.publish(world["koordynator"], DRAFT, new_id="sprzet-brak-sygnalu")["version"] == 3


def test_a_derived_id_another_publisher_took_a_moment_ago_moves_on_to_the_next_number(desk, monkeypatch):
    container, world, drafts, insights, _ticket = desk
    twin = container.tickets.create(
        world["urz.plock"],
        NewTicket(title="Rzutnik nie wyświetla obrazu", description="Sala 2.", component="SPRZET"),
    )["id"]
    container.tickets.act(world["lider.plock"], twin, "take")
    container.tickets.act(world["lider.plock"], twin, "resolve", text="Kabel wymieniony.")
    twin_draft = insights.draft_from_ticket(world["lider.plock"], twin)["id"]
    assert drafts.publish(world["koordynator"], DRAFT)["id"] == NEW_ID
    # As if another transaction took the id after this one looked: the rename collides, the next is tried.
    monkeypatch.setattr(KbTxMixin, "kb_ids_like", lambda self, base: set())
    published = drafts.publish(world["koordynator"], twin_draft)
    assert published["id"] == f"{NEW_ID}-2" and published["ticket"] == twin
    assert container.kb.article(NEW_ID).body.startswith("**Problem:** W sali narad")


def test_the_rename_refuses_a_taken_id_and_changes_nothing(desk):
    container, *_ = desk
    assert container.db.write(lambda tx: tx.kb_rename(DRAFT, "konto-reset-hasla")) is False
    assert container.db.read(lambda tx: tx.kb_article(DRAFT))["status"] == "draft"
    assert container.db.read(lambda tx: tx.kb_article("konto-reset-hasla"))["status"] == "published"
    assert len(container.db.read(lambda tx: tx.kb_history(DRAFT))) == 1


def test_drafting_the_ticket_again_after_publishing_finds_the_article_under_its_new_id(desk):
    container, world, drafts, insights, ticket = desk
    drafts.publish(world["koordynator"], DRAFT, new_id="sprzet-rzutnik-hdmi")
    for who in ("lider.plock", "koordynator"):
        with pytest.raises(Conflict, match="'sprzet-rzutnik-hdmi' z tego zgłoszenia jest już opublikowany"):
            insights.draft_from_ticket(world[who], ticket)
    assert container.db.read(lambda tx: tx.kb_article(DRAFT)) is None
    assert drafts.list_drafts(world["koordynator"]) == []
    assert container.db.read(lambda tx: tx.kb_article_of_ticket(1))["id"] == "sprzet-rzutnik-hdmi"


def test_an_upgrade_links_existing_drafts_to_their_tickets(desk):
    """A database from before the link (revision 0005) upgrades: draft ids tell the ticket."""
    from alembic import command

    from helpdesk.adapters.db.migrate import alembic_config

    container, world, drafts, insights, ticket = desk
    now = container.clock.now()
    for article_id in ("szkic-t-000002", "szkic-t-5"):  # no such ticket; not a draft id's written form
        container.db.write(
            lambda tx, a=article_id: tx.kb_upsert(
                {"id": a, "title": "Inny", "component": "EZD", "tags": [], "questions": [], "body": "T."},
                now,
                "test",
                status="draft",
            )
        )
    config = alembic_config(container.db.engine)
    command.downgrade(config, "0005")
    command.upgrade(config, "head")
    links = container.db.read(lambda tx: {a["id"]: a["source_ticket"] for a in tx.kb_articles("draft")})
    assert links == {DRAFT: 1, "szkic-t-000002": 2, "szkic-t-5": None}
    assert drafts.get(world["lider.plock"], DRAFT)["ticket"] == ticket
    drafts.publish(world["koordynator"], DRAFT)
    with pytest.raises(Conflict, match=f"'{NEW_ID}' z tego zgłoszenia jest już opublikowany"):
        insights.draft_from_ticket(world["lider.plock"], ticket)
