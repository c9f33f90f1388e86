"""Ranking counts of the quality module: where the right article stands before any confidence."""

from helpdesk.adapters.morph import morfeusz
from helpdesk.services.kb.matcher import KbMatcher
from helpdesk.services.kb.quality import LabelledQuestion, rank_report, rank_tallies
from tests.unit.test_kb_matcher import ARTICLES


def test_ranking_counts_say_first_among_three_and_allowed_per_kind() -> None:
    matcher = KbMatcher(ARTICLES, morfeusz())
    questions = [
        LabelledQuestion("jak zresetować hasło do ezd", "konto-reset-hasla", "short"),
        # Ranked, but not first: the question is about the reset article's neighbour.
        LabelledQuestion("jak zresetować hasło do ezd", "konto-blokada", "ambiguous_neighbour"),
        # Nothing in the knowledge base knows these words: not ranked at all.
        LabelledQuestion("gdzie zaparkować rower", "skan-skaner-niewidoczny", "paraphrase"),
        LabelledQuestion("jaka jest pogoda", None, "out_of_scope"),  # not answerable: not counted
    ]
    tallies = rank_tallies(matcher, questions, k=3)
    every = tallies["ALL"]
    assert (every.answerable, every.top1, every.topk, every.allowed) == (3, 1, 2, 1)
    assert (tallies["short"].top1, tallies["short"].allowed) == (1, 1)
    neighbour = tallies["ambiguous_neighbour"]
    assert (neighbour.top1, neighbour.topk, neighbour.allowed) == (0, 1, 0)
    assert tallies["paraphrase"].topk == 0
    assert "out_of_scope" not in tallies
    assert abs(every.ceiling - 1 / 3) < 1e-9
    assert rank_report(tallies).splitlines()[-1].split() == ["ALL", "3", "1", "2", "1"]
