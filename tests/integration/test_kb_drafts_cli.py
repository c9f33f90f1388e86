"""`helpdesk kb drafts|publish|discard`: the review of drafts from the console, exit codes and one-line
Polish errors with exit code 1, and a running process noticing what the console published."""

import json

import pytest

from helpdesk.cli import main
from helpdesk.services.kb import answers as kb_module
from helpdesk.services.kb.insights import KbInsights
from helpdesk.services.tickets import NewTicket
from tests.support.calls import one_error_line, run
from tests.support.world import REPO, make_container, populate

QUESTION = "Jak podłączyć laptopa do rzutnika w sali narad?"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A database with the world, the shipped articles and two drafts (T-000001, T-000002) of Płock."""
    url = f"sqlite:///{tmp_path}/h.db"
    for key, value in {
        "HELPDESK_DATABASE_URL": url,
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_KB_DIR": str(REPO / "knowledge_base"),
        "HELPDESK_SMTP_LISTEN": "",
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["init"]) == 0
    assert main(["kb", "import", str(REPO / "knowledge_base")]) == 0
    container = make_container(url)
    people = populate(container)
    insights = KbInsights(container.db, container.clock, container.kb, container.settings.tz)
    for title in ("Rzutnik nie wyświetla obrazu", "Niszczarka się zacina"):
        ticket = container.tickets.create(
            people["urz.plock"], NewTicket(title=title, description="", component="SPRZET")
        )
        for action in ("take", "resolve"):
            container.tickets.act(people["lider.plock"], ticket["id"], action, text="Zrobione.")
        insights.draft_from_ticket(people["lider.plock"], ticket["id"])
    container.db.write(
        lambda tx: tx.kb_upsert(
            {**tx.kb_article("szkic-t-000001"), "questions": [QUESTION]},
            container.clock.now(),
            "lider.plock",
            status="draft",
        )
    )
    yield container
    container.close()


def test_drafts_lists_each_draft_with_who_drafted_it_from_which_ticket_and_when(env, capsys):
    code, out, _ = run(capsys, "kb", "drafts", "--json")
    items = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [d["id"] for d in items] == ["szkic-t-000001", "szkic-t-000002"]
    assert items[0]["ticket"] == "T-000001" and items[0]["drafted_by"] == "lider.plock"
    assert items[0]["drafted_at"].startswith("2027-03-01T09:00") and items[0]["office"] == "1462011"
    code, out, _ = run(capsys, "kb", "drafts")
    assert code == 0 and "Szkice artykułów do przejrzenia: 2" in out and "ze zgłoszenia T-000002" in out
    assert items[0]["suggested_id"] == "sprzet-rzutnik-nie-wyswietla-obrazu"
    assert "po publikacji: sprzet-niszczarka-sie-zacina" in out


def test_publish_makes_the_draft_an_article_a_running_process_answers_from(env, capsys):
    server_kb = env.kb  # stands in for a running server: its index is already built
    new_id = "sprzet-rzutnik-nie-wyswietla-obrazu"
    assert new_id not in server_kb.matcher()[1]
    code, out, _ = run(capsys, "kb", "publish", "szkic-t-000001", "--as", "koordynator", "--json")
    article = json.loads(out)
    assert code == 0 and article["status"] == "published" and article["history"][-1]["by"] == "koordynator"
    assert article["id"] == new_id and article["renamed_from"] == "szkic-t-000001"
    code, out, _ = run(capsys, "kb", "publish", "szkic-t-000002", "--id", "sprzet-niszczarka")
    assert code == 0 and out.startswith("Opublikowano szkic 'szkic-t-000002' jako 'sprzet-niszczarka'")
    assert "/kb/sprzet-niszczarka" in out
    assert env.db.read(lambda tx: tx.kb_article("sprzet-niszczarka"))["updated_by"] == "cli"
    assert env.db.read(lambda tx: tx.kb_article("szkic-t-000002")) is None
    code, out, _ = run(capsys, "kb", "drafts")
    assert code == 0 and "Brak szkiców" in out
    code, out, _ = run(capsys, "kb", "ask", QUESTION, "--json")
    assert code == 0 and json.loads(out)["article"]["id"] == new_id
    kb_module.STAMP_CHECK_SECONDS, saved = 0.0, kb_module.STAMP_CHECK_SECONDS
    try:
        assert server_kb.answer(QUESTION, record=False)["article"]["id"] == new_id
    finally:
        kb_module.STAMP_CHECK_SECONDS = saved


def test_discard_keeps_the_history_and_the_draft_is_never_listed_again(env, capsys):
    code, out, _ = run(capsys, "kb", "discard", "szkic-t-000002", "--as", "admin")
    assert code == 0 and "Odrzucono szkic 'szkic-t-000002'" in out
    code, out, _ = run(capsys, "kb", "drafts", "--json")
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["szkic-t-000001"]
    statuses = [
        json.loads(v["data"])["status"] for v in env.db.read(lambda tx: tx.kb_history("szkic-t-000002"))
    ]
    assert statuses == ["draft", "discarded"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["publish", "szkic-t-000001", "--as", "lider.plock"], "nie może publikować"),
        (["discard", "szkic-t-000001", "--as", "urz.plock"], "nie może odrzucać"),
        (["publish", "szkic-t-000001", "--as", "nikt"], "nie ma osoby o loginie 'nikt'"),
        (["publish", "szkic-t-000777"], "nie ma szkicu"),
        (["publish", "konto-reset-hasla"], "już opublikowany"),
        (["discard", "konto-reset-hasla"], "już opublikowany"),
        (["publish", "Zle_ID"], "niepoprawny identyfikator"),
        (["publish"], "ID"),
        (["discard", "szkic-t-000001", "--bogus"], "--bogus"),
        (["publish", "szkic-t-000001", "--id", "Zle_ID"], "tylko małe litery ascii"),
        (["publish", "szkic-t-000001", "--id", "sprzęt-rzutnik"], "tylko małe litery ascii"),
        (["publish", "szkic-t-000001", "--id", "a" * 129], "za długie"),
        (["publish", "szkic-t-000001", "--id", ""], "'id' nie może być puste"),
        (["publish", "szkic-t-000001", "--id", "szkic-t-000002"], "zarezerwowane dla szkiców"),
        (["publish", "szkic-t-000001", "--id", "konto-reset-hasla"], "'konto-reset-hasla' jest już zajęte"),
        (["publish", "szkic-t-000001", "--id"], "argument --id: brak wartości (oczekiwano jednej)"),
    ],
)
def test_bad_input_is_one_polish_line_and_exit_2(env, capsys, args, needle):
    code, _, err = run(capsys, "kb", *args)
    assert code == 2 and needle in one_error_line(err)
    assert env.db.read(lambda tx: tx.kb_article("szkic-t-000001"))["status"] == "draft"


def test_publishing_twice_is_refused_the_second_time(env, capsys):
    assert run(capsys, "kb", "publish", "szkic-t-000001")[0] == 0
    code, _, err = run(capsys, "kb", "publish", "szkic-t-000001")
    assert (
        code == 2
        and "już opublikowany jako artykuł 'sprzet-rzutnik-nie-wyswietla-obrazu'" in one_error_line(err)
    )


def test_a_taken_derived_id_gets_a_number(env, capsys):
    assert run(capsys, "kb", "publish", "szkic-t-000001", "--id", "sprzet-niszczarka-sie-zacina")[0] == 0
    code, out, _ = run(capsys, "kb", "publish", "szkic-t-000002")
    assert code == 0 and "jako 'sprzet-niszczarka-sie-zacina-2'" in out
