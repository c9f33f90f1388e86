"""The `helpdesk` command speaks Polish: usage errors and help, not argparse's English."""

import argparse

import pytest

from helpdesk.cli import build_parser, main, polish_usage_error

ENGLISH = ("invalid choice", "choose from", "required", "expected", "unrecognized", "usage", "options:")


@pytest.mark.parametrize(
    "args,polish",
    [
        (["frobnicate"], "nieznana wartość 'frobnicate' (do wyboru: 'init'"),
        (["kb", "frobnicate"], "argument ACTION: nieznana wartość 'frobnicate'"),
        ([], "brak wymaganych argumentów: COMMAND"),
        (["kb", "ask", "--batch"], "argument --batch: brak wartości"),
        (["kb", "ask", "jak", "--bogus"], "nieznane argumenty: --bogus"),
        (["users", "tokens", "ala", "--all", "--revoke", "7"], "nie można użyć razem z argumentem --all"),
        (
            ["report", "sla", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "pdf"],
            "nieznana wartość 'pdf'",
        ),
    ],
)
def test_a_usage_error_is_one_polish_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args, polish
) -> None:
    assert main(args) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1
    assert lines[0].startswith("helpdesk: błąd: ") and polish in lines[0]
    assert not any(word in lines[0] for word in ENGLISH), lines[0]


def test_argparse_wordings_of_python_3_11_to_3_13_are_translated() -> None:
    assert (
        polish_usage_error("argument --n: invalid int value: 'x'")
        == "argument --n: nieprawidłowa wartość (int): 'x'"
    )
    assert polish_usage_error("argument --x: expected at least one argument") == (
        "argument --x: oczekiwano co najmniej jednej wartości"
    )
    assert polish_usage_error("one of the arguments --a --b is required") == (
        "wymagany jest jeden z argumentów: --a --b"
    )
    assert polish_usage_error("ambiguous option: --j could match --json, --jst") == (
        "niejednoznaczna opcja --j (pasuje do: --json, --jst)"
    )
    assert polish_usage_error("something argparse may say one day") == "something argparse may say one day"


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("helpdesk",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


def test_every_help_page_is_polish_and_every_argument_is_explained(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pages = list(_parsers(build_parser()))
    assert len(pages) > 40
    for path, parser in pages:
        actions = [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction)]
        for group in parser._actions:
            if isinstance(group, argparse._SubParsersAction):
                actions += group._choices_actions  # one per command, carrying its help line
        undocumented = [a.dest for a in actions if not a.help]
        assert undocumented == [], (path, undocumented)
        assert main([*path[1:], "--help"]) == 0
        text = capsys.readouterr().out
        assert text.startswith("użycie: helpdesk"), (path, text)
        assert "pokaż tę pomoc i zakończ" in text
        for english in ("usage:", "options:", "positional arguments", "show this help"):
            assert english not in text, (path, english)
