"""Learning from tickets on SQLite and PostgreSQL: a question the bot could not answer, answered by a
leader with an article, becomes a proposed phrasing; "Nie pomogło" a proposed counter-example; a
coordinator decides; accepted ones take part in matching at once, here and in other processes."""

import threading

import pytest

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import Article
from helpdesk.services.kb import answers as kb_module
from helpdesk.services.kb import memory as memory_module
from helpdesk.services.kb.answers import KbService
from helpdesk.services.kb.proposals import KbProposals
from helpdesk.services.tickets import NewTicket
from tests.support.world import populate

ARTICLES = [
    Article(
        "konto-reset-hasla",
        "Resetowanie zapomnianego hasła",
        "KONTO",
        ("hasło", "reset", "logowanie"),
        ("Nie pamiętam hasła, jak ustawić nowe?", "Jak zresetować hasło do EZD?"),
        "Na ekranie logowania kliknij Nie pamiętam hasła. Link do ustawienia nowego hasła przyjdzie e-mailem.",
    ),
    Article(
        "konto-blokada",
        "Konto zablokowane po błędnych próbach logowania",
        "KONTO",
        ("blokada", "konto", "logowanie"),
        ("Moje konto jest zablokowane", "Ile razy mogę wpisać złe hasło?"),
        "Po pięciu nieudanych próbach konto blokuje się na 15 minut. Poproś lidera o odblokowanie.",
    ),
    Article(
        "skan-skaner-niewidoczny",
        "EZD nie widzi skanera",
        "SKANOWANIE",
        ("skaner", "sterownik"),
        ("Skaner nie jest wykrywany w EZD", "Brak skanera na liście urządzeń"),
        "Uruchom ponownie usługę skanowania i sprawdź sterownik skanera.",
    ),
    Article(
        "ezd-dekretacja",
        "Dekretacja pisma na pracownika",
        "EZD",
        ("dekretacja", "kierownik"),
        ("Jak zadekretować pismo?", "Jak przydzielić pismo pracownikowi?"),
        "Kierownik otwiera pismo, klika Dekretuj i wybiera pracownika oraz rodzaj dekretacji.",
    ),
]
UNANSWERED = "system co kwartał wymusza nowy szyfr dostępowy, jaki wymyślić"
ARTICLE = "konto-reset-hasla"


@pytest.fixture
def desk(any_container):
    container = any_container
    people = populate(container)
    container.kb.import_articles(ARTICLES)
    return container, people


def ask_and_open_ticket(container, official, text):
    """What the dialogue does: the question is recorded, then it ends in a ticket linked to it."""
    answer = container.kb.answer(text, official, channel="telegram")
    ticket = container.tickets.create(
        official, NewTicket(title=text[:100], description=text, channel="telegram")
    )
    container.kb.link_ticket(answer["query_id"], int(ticket["id"].split("-")[1]))
    return answer, ticket["id"]


def test_a_leader_pointing_to_an_article_teaches_the_bot_once_a_coordinator_accepts(desk):
    container, people = desk
    official, leader, coordinator = people["urz.plock"], people["lider.plock"], people["koordynator"]
    answer, ticket = ask_and_open_ticket(container, official, UNANSWERED)
    assert not answer["answered"]
    container.tickets.act(leader, ticket, "take")
    container.clock.advance(minutes=7)
    container.tickets.act(
        leader,
        ticket,
        "resolve",
        text=f"Zasady są tu: {container.settings.public_url}/kb/{ARTICLE} — pozdrawiam",
    )
    [proposal] = container.kb_proposals.list(coordinator)
    assert proposal["kind"] == "phrasing" and proposal["article_id"] == ARTICLE
    assert proposal["text"] == UNANSWERED and proposal["ticket"] == ticket and proposal["office"] == "1462011"
    assert proposal["proposed_by"] == "lider.plock" and proposal["proposed_at"].startswith("2027-03-01T09:07")
    assert proposal["status"] == "pending" and proposal["decided_by"] is None
    # the leader sees the office's proposal, but only a coordinator decides
    assert [p["id"] for p in container.kb_proposals.list(leader)] == [proposal["id"]]
    assert container.kb_proposals.list(people["lider.slupno"]) == []
    with pytest.raises(Forbidden):
        container.kb_proposals.accept(leader, proposal["id"])
    with pytest.raises(Forbidden):
        container.kb_proposals.list(official)
    assert not container.kb.answer(UNANSWERED, record=False)["answered"]  # pending: not used yet

    other_process = KbService(
        container.db, container.clock, container.settings, morphology=container.kb.morphology
    )
    other_process.matcher()
    before = container.db.read(lambda tx: tx.kb_stamp())
    index, _ = container.kb.matcher()
    container.clock.advance(minutes=3)
    decided = container.kb_proposals.accept(coordinator, str(proposal["id"]))
    assert decided["status"] == "accepted" and decided["decided_by"] == "koordynator"
    assert decided["decided_at"].startswith("2027-03-01T09:10")
    after = container.kb.answer(UNANSWERED, record=False)
    assert after["answered"] and after["article"]["id"] == ARTICLE
    # only the article was indexed again: the index built before is still the big part of it
    updated, _ = container.kb.matcher()
    assert updated is not index and updated.shares_index_with(index) and updated.overlay_size == 1
    # other processes notice through the stamp and rebuild
    assert container.db.read(lambda tx: tx.kb_stamp()) != before
    other_process.invalidate()
    assert other_process.match(UNANSWERED)[0].article_id == ARTICLE
    # a decision is final and recorded
    with pytest.raises(Conflict):
        container.kb_proposals.reject(coordinator, proposal["id"])
    assert container.kb_proposals.list(coordinator) == []
    [kept] = container.kb_proposals.list(coordinator, None)
    assert kept["status"] == "accepted"


def test_nothing_is_proposed_without_an_article_link_or_when_the_bot_had_answered_with_it(desk):
    container, people = desk
    official, leader = people["urz.plock"], people["lider.plock"]
    _answer, ticket = ask_and_open_ticket(container, official, UNANSWERED)
    container.tickets.act(leader, ticket, "take")
    container.tickets.act(leader, ticket, "reply", text="Proszę zadzwonić do informatyka.")
    container.tickets.act(official, ticket, "comment", text=f"Znalazłam: /kb/{ARTICLE}")  # the official's own
    container.tickets.act(leader, ticket, "resolve", text="Link: /kb/nie-ma-takiego-artykulu")
    assert container.kb_proposals.list(people["koordynator"], None) == []
    answered, ticket2 = ask_and_open_ticket(container, official, "jak zresetować hasło do EZD")
    assert answered["answered"] and answered["article"]["id"] == ARTICLE
    container.tickets.act(leader, ticket2, "take")
    container.tickets.act(leader, ticket2, "resolve", text=f"Jak w artykule /kb/{ARTICLE}")
    assert container.kb_proposals.list(people["koordynator"], None) == []


def test_not_helped_proposes_a_counter_example_that_silences_the_article_once_accepted(desk):
    container, people = desk
    official, coordinator = people["urz.plock"], people["koordynator"]
    question = "jak zresetować hasło do EZD"
    answer = container.kb.answer(question, official, channel="telegram")
    assert answer["answered"] and answer["article"]["id"] == ARTICLE
    container.kb.feedback(answer["query_id"], False, official)
    [proposal] = container.kb_proposals.list(coordinator)
    assert proposal["kind"] == "counter_example" and proposal["article_id"] == ARTICLE
    assert proposal["proposed_by"] == "urz.plock" and proposal["ticket"] is None
    container.kb_proposals.accept(coordinator, proposal["id"])
    again = container.kb.answer(question, record=False)
    assert not (again["answered"] and again["article"]["id"] == ARTICLE)
    assert ARTICLE not in [s["id"] for s in again["suggestions"]]
    # other questions about the article are still answered with it
    assert (
        container.kb.answer("nie pamiętam hasła, jak ustawić nowe", record=False)["article"]["id"] == ARTICLE
    )


def test_a_rejected_proposal_is_kept_and_never_used(desk):
    container, people = desk
    official, leader, coordinator = people["urz.plock"], people["lider.plock"], people["koordynator"]
    _answer, ticket = ask_and_open_ticket(container, official, UNANSWERED)
    container.tickets.act(leader, ticket, "take")
    container.tickets.act(leader, ticket, "reply", text=f"/kb/{ARTICLE}")
    [proposal] = container.kb_proposals.list(coordinator)
    rejected = container.kb_proposals.reject(coordinator, proposal["id"])
    assert rejected["status"] == "rejected" and rejected["decided_by"] == "koordynator"
    assert not container.kb.answer(UNANSWERED, record=False)["answered"]


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", "99999999999", ""])
def test_bad_proposal_numbers_are_refused_clearly(desk, bad):
    container, people = desk
    with pytest.raises(InvalidInput):
        container.kb_proposals.accept(people["koordynator"], bad)


def test_an_unknown_proposal_is_not_found(desk):
    container, people = desk
    with pytest.raises(NotFound):
        container.kb_proposals.accept(people["koordynator"], 4242)


def test_a_change_made_elsewhere_is_indexed_by_one_thread_while_others_answer_from_the_old_index(
    desk, monkeypatch
):
    container, people = desk
    kb = container.kb
    old, _ = kb.matcher()
    monkeypatch.setattr(kb_module, "STAMP_CHECK_SECONDS", 0.0)
    # another process accepts a proposal: only the stamp tells this one
    other = KbService(container.db, container.clock, container.settings, morphology=kb.morphology)
    other.feedback(other.answer("jak zresetować hasło do EZD", people["urz.plock"])["query_id"], False)
    [proposal] = container.kb_proposals.list(people["koordynator"])
    KbProposals(container.db, container.clock, other, container.settings.tz).accept(
        people["koordynator"], proposal["id"]
    )
    started, release = threading.Event(), threading.Event()
    real = memory_module.KbMatcher  # the service's whole builds are made by memory.build_here

    def slow_matcher(*args, **kwargs):
        started.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(memory_module, "KbMatcher", slow_matcher)
    builder = threading.Thread(target=kb.matcher)
    builder.start()
    assert started.wait(10)
    assert kb.matcher()[0] is old  # answered at once, from the index it had
    release.set()
    builder.join(10)
    assert kb.matcher()[0] is not old
    again = kb.answer("jak zresetować hasło do EZD", record=False)
    assert not (again["answered"] and again["article"]["id"] == ARTICLE)  # the counter-example counts


class _CountingMorphology:
    """The real morphology, counting how often the service asks it to forget its caches."""

    def __init__(self, real):
        self.real, self.forgotten = real, 0
        self.analyse, self.analyse_spellings, self.forms = real.analyse, real.analyse_spellings, real.forms
        self.aspects = real.aspects

    def forget(self):
        self.forgotten += 1


def test_a_full_index_build_lets_the_morphology_forget_the_articles_words(desk):
    container, people = desk
    counting = _CountingMorphology(container.kb.morphology)
    kb = KbService(container.db, container.clock, container.settings, morphology=counting)
    assert kb.answer("jak zresetować hasło do EZD", people["urz.plock"])["article"]["id"] == ARTICLE
    assert counting.forgotten == 1  # once, after the build: answering itself keeps the cache
    kb.answer("skaner nie jest wykrywany w EZD", people["urz.plock"])
    assert counting.forgotten == 1
