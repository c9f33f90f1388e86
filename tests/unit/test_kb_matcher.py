"""The KB matcher on a small hand-made knowledge base, and the answer's JSON."""

import threading

import pytest

from helpdesk.adapters.morph import morfeusz
from helpdesk.domain.kb.article import Article
from helpdesk.services.kb.matcher import KbAnswer, KbMatcher, Learned, to_spec_json

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
        "Po pięciu nieudanych próbach konto blokuje się na 15 minut. Odczekaj albo poproś lidera o odblokowanie.",
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


@pytest.fixture(scope="module")
def matcher() -> KbMatcher:
    return KbMatcher(ARTICLES, morfeusz())


def test_a_question_close_to_a_phrasing_is_answered_with_that_article(matcher: KbMatcher) -> None:
    answer = matcher.answer("nie pamietam hasla do ezd")
    assert answer.answered and answer.article_id == "konto-reset-hasla"
    assert 0.5 <= answer.score <= 1.0


def test_typos_and_missing_diacritics_are_tolerated(matcher: KbMatcher) -> None:
    answer = matcher.answer("skanr nie jest wykrywny w ezd")
    assert answer.article_id == "skan-skaner-niewidoczny"


def test_a_word_typed_without_polish_letters_is_not_taken_for_a_typo_of_another_word() -> None:
    article = Article(
        "epuap-odbior",
        "Odbiór pism z ePUAP",
        "EPUAP",
        ("epuap",),
        ("Gdzie znajdę pisma z ePUAP?",),
        "Urzędy wydają decyzje elektronicznie; pisma z ePUAP trafiają do rejestru przesyłek wpływających.",
    )
    explained = KbMatcher([article], morfeusz()).explain("gdzie wpadaja pisma z epuapu")
    assert explained is not None
    assert "wpadaja" in explained.unknown  # wpadają: a word this KB does not use …
    assert all(surface != "wpadaja" for surface, _terms, _weight in explained.terms)  # … not "wydają"


def test_a_verb_with_a_perfective_prefix_still_finds_its_article(matcher: KbMatcher) -> None:
    assert matcher.answer("jak zadekretowac pismo na kolege").article_id == "ezd-dekretacja"


def test_close_neighbours_are_told_apart(matcher: KbMatcher) -> None:
    assert matcher.answer("konto zablokowane, co robić").article_id == "konto-blokada"
    assert matcher.answer("jak zresetować hasło").article_id == "konto-reset-hasla"


@pytest.mark.parametrize("text", ["cześć", "dzięki!", "", "   ", "...", "Dzień dobry", "asdf qwer zxcv"])
def test_greetings_thanks_and_noise_get_no_answer(matcher: KbMatcher, text: str) -> None:
    answer = matcher.answer(text)
    assert not answer.answered and answer.article_id is None


def test_an_out_of_scope_question_gets_no_answer(matcher: KbMatcher) -> None:
    assert not matcher.answer("ile kosztuje abonament parkingowy przy urzędzie").answered


def test_candidates_are_at_most_three_best_first_with_scores_in_range(matcher: KbMatcher) -> None:
    answer = matcher.answer("problem z logowaniem i hasłem")
    assert 1 <= len(answer.candidates) <= 3
    scores = [s for _, s in answer.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert answer.score == scores[0]


def test_a_long_rambling_message_with_a_greeting_is_still_understood(matcher: KbMatcher) -> None:
    text = (
        "Dzień dobry, od rana próbuję się zalogować i chyba kilka razy wpisałam złe hasło, "
        "teraz konto jest zablokowane i nie mogę pracować. Pozdrawiam, Ania"
    )
    assert matcher.answer(text).article_id == "konto-blokada"


def test_the_matcher_answers_from_many_threads_at_once(matcher: KbMatcher) -> None:
    expected = matcher.answer("skaner nie działa w ezd")
    results: list[KbAnswer] = []

    def work() -> None:
        for _ in range(50):
            results.append(matcher.answer("skaner nie działa w ezd"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        KbMatcher([ARTICLES[0], ARTICLES[0]], morfeusz())


def test_an_empty_knowledge_base_answers_nothing() -> None:
    assert not KbMatcher([], morfeusz()).answer("nie pamiętam hasła").answered


def test_spec_json_has_the_article_with_its_public_url(matcher: KbMatcher) -> None:
    answer = matcher.answer("nie pamietam hasla do ezd")
    by_id = {a.id: a for a in ARTICLES}
    out = to_spec_json(answer, by_id, "https://helpdesk.example/")
    assert out["answered"] is True
    assert out["article"] == {
        "id": "konto-reset-hasla",
        "title": "Resetowanie zapomnianego hasła",
        "url": "https://helpdesk.example/kb/konto-reset-hasla",
    }
    assert set(out) == {"answered", "article", "score", "candidates", "suggestions"}
    assert out["suggestions"] == []
    assert out["candidates"][0] == {"id": "konto-reset-hasla", "score": out["score"]}


def test_spec_json_of_silence_has_a_null_article() -> None:
    out = to_spec_json(KbAnswer(False, None, 0.12, [("x", 0.12)]), {}, "http://127.0.0.1:8080")
    assert out == {
        "answered": False,
        "article": None,
        "score": 0.12,
        "candidates": [{"id": "x", "score": 0.12}],
        "suggestions": [],
    }


def test_a_logistic_fit_separates_a_separable_sample() -> None:
    from helpdesk.services.kb.calibration import fit_logistic

    xs = [[0.1 * i, 1.0] for i in range(20)]
    ys = [int(i >= 10) for i in range(20)]
    weights, bias = fit_logistic(xs, ys, l2=0.001, iterations=2000)
    assert weights[0] > 0
    assert all(
        (bias + weights[0] * x[0] + weights[1] * x[1] > 0) == bool(y) for x, y in zip(xs, ys, strict=True)
    )


def test_candidate_scores_never_exceed_the_best_one(matcher: KbMatcher) -> None:
    for text in ("hasło", "konto zablokowane hasło", "skaner ezd pismo dekretacja"):
        scores = [s for _, s in matcher.answer(text).candidates]
        assert scores == sorted(scores, reverse=True)


def test_a_question_made_only_of_words_most_articles_use_gets_no_answer() -> None:
    topics = ("drukarka", "skaner", "czytnik", "monitor", "klawiatura", "router")
    kb = KbMatcher(
        [
            Article(
                f"sprzet-{t}",
                f"{t.capitalize()} nie działa",
                "SPRZET",
                (t,),
                (f"Co zrobić, gdy {t} nie działa?",),
                f"Jeśli {t} w systemie nie działa, uruchom komputer ponownie.",
            )
            for t in topics
        ],
        morfeusz(),
    )
    thanks = kb.answer("dzięki, już działa")
    assert not thanks.answered and thanks.suggestions == []
    # "nie działa" is a synonym phrase and the word it holds: one thing named, so no suggestions.
    for vague in ("nie działa", "nadal nie działa", "co zrobić, gdy nie działa?"):
        assert kb.answer(vague).suggestions == [], vague
    assert kb.answer("skaner nie działa").article_id == "sprzet-skaner"


def test_a_vague_question_of_several_common_words_is_offered_the_articles_whose_head_holds_them_all() -> None:
    def article(aid: str, title: str, body: str) -> Article:
        return Article(aid, title, "EZD", (), (), body)

    kb = KbMatcher(
        [
            article(
                "podpis-kwalifikowany", "Podpisanie pisma podpisem kwalifikowanym", "Włóż kartę i podpisz."
            ),
            article("podpis-profil", "Podpisywanie pisma profilem zaufanym", "Zaloguj się do ePUAP."),
            article("epuap-wysylka", "Wysyłka pisma przez ePUAP", "Pismo trzeba najpierw podpisać."),
            article("kancelaria-rejestracja", "Rejestracja pisma w kancelarii", "Podpisane pismo skanujemy."),
            article("podpis-certyfikat", "Odnowienie certyfikatu", "Bez certyfikatu nie podpiszesz pisma."),
            article("konto-haslo", "Reset hasła", "Link do nowego hasła przyjdzie e-mailem."),
        ],
        morfeusz(),
    )
    # Both words are in at least a third of the articles: the question does not point at one of
    # them, so it is not answered, but the two whose title holds it all are offered.
    vague = kb.answer("jak podpisać pismo")
    assert not vague.answered and vague.article_id is None
    assert set(vague.suggestions) == {"podpis-kwalifikowany", "podpis-profil"}
    # One common word alone is still silence without suggestions, as small talk is.
    assert kb.answer("pismo").suggestions == []
    # A rare word makes the question specific again: it is answered as before.
    assert kb.answer("jak podpisać pismo profilem zaufanym").article_id == "podpis-profil"


def test_articles_with_close_neighbours_are_marked_as_crowded(matcher: KbMatcher) -> None:
    rows = {str(r["id"]): r for r in matcher.explain("hasło konto zablokowane dekretacja").rows}  # type: ignore[union-attr]
    assert rows["konto-blokada"]["crowd"] > rows["ezd-dekretacja"]["crowd"]
    assert rows["ezd-dekretacja"]["crowd"] == 0.0


def test_an_update_indexes_only_the_changed_articles_and_answers_like_a_fresh_build() -> None:
    base = KbMatcher(ARTICLES[:2], morfeusz())
    added = base.updated(ARTICLES[2:])
    assert added.shares_index_with(base) and added.overlay_size == 2 and len(added) == 4
    assert not base.answer("skaner nie jest wykrywany").answered  # the old index is left as it was
    fresh = KbMatcher(ARTICLES, morfeusz())
    for text in (
        "skaner nie jest wykrywany w EZD",
        "jak zadekretować pismo pracownikowi",
        "nie pamiętam hasła",
    ):
        got, want = added.answer(text), fresh.answer(text)
        assert (got.answered, got.article_id) == (want.answered, want.article_id), text


def test_an_update_can_change_and_remove_articles_of_the_big_segment() -> None:
    base = KbMatcher(ARTICLES, morfeusz())
    renamed = Article(
        "ezd-dekretacja",
        "Przydział korespondencji",
        "EZD",
        ("przydział",),
        ("Jak przydzielić korespondencję?",),
        "Kierownik przydziela korespondencję pracownikom.",
    )
    changed = base.updated([renamed], removed=["skan-skaner-niewidoczny"])
    assert len(changed) == 3 and changed.shares_index_with(base)
    assert changed.answer("jak przydzielić korespondencję").article_id == "ezd-dekretacja"
    assert all(c != "ezd-dekretacja" for c, _ in changed.answer("rodzaj dekretacji").candidates)  # old text
    assert all(
        c != "skan-skaner-niewidoczny" for c, _ in changed.answer("skaner nie jest wykrywany").candidates
    )
    again = changed.updated([ARTICLES[2]])  # it comes back
    assert again.answer("Skaner nie jest wykrywany w EZD").article_id == "skan-skaner-niewidoczny"


def test_an_accepted_phrasing_joins_its_article_by_an_update() -> None:
    base = KbMatcher(ARTICLES, morfeusz())
    question = "system nie wpuszcza mnie, pisze że mam poczekać kwadrans"
    assert base.answer(question).article_id != "konto-blokada" or not base.answer(question).answered
    learned = Learned(phrasings={"konto-blokada": (question,)})
    taught = base.updated([ARTICLES[1]], learned=learned)
    assert taught.answer(question).answered and taught.answer(question).article_id == "konto-blokada"


def _twins(learned_text: str) -> KbMatcher:
    """Two articles alike but for one phrasing: curated in the first, learned from a ticket in the second."""
    body = "Pismo trafia do archiwum zakładowego po zakończeniu sprawy."
    curated = Article("arch-a", "Archiwum zakładowe", "EZD", ("archiwum",), (learned_text,), body)
    plain = Article("arch-b", "Archiwum zakładowe", "EZD", ("archiwum",), (), body)
    return KbMatcher([curated, plain], morfeusz(), learned=Learned(phrasings={"arch-b": (learned_text,)}))


def test_a_phrasing_learned_from_a_ticket_weighs_less_than_a_curated_one() -> None:
    # The same words as a curated phrasing and as an official's question accepted from a ticket:
    # the curated one was written to say what the article answers, the learned one as it was asked.
    text = "jak przekazać teczkę do składnicy"
    rows = {str(r["id"]): r for r in _twins(text).explain(text).rows}  # type: ignore[union-attr]
    assert rows["arch-a"]["combined"] > rows["arch-b"]["combined"]
    assert rows["arch-b"]["head"] == rows["arch-a"]["head"] > 0  # both are head evidence


def test_postings_take_two_bytes_a_number_and_keep_the_weights_to_a_step(matcher: KbMatcher) -> None:
    from helpdesk.services.kb.matcher import K1, WEIGHT_STEP

    segment = matcher._segments[0]
    assert segment.docs.itemsize == segment.weights.itemsize == 2  # a small segment's postings
    # Every weight is the BM25F saturation of a positive pseudo-frequency: above zero, below
    # (K1 + 1) × the term's IDF, and a whole number of steps.
    idf = max(matcher._idf)
    assert all(0 < w * WEIGHT_STEP <= (K1 + 1.0) * idf for w in segment.weights)
