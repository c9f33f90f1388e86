"""The `helpdesk` command (README: Try it). Each command group lives in its own module with `register()`.

Every handler has the signature `handler(args, ctx) -> int`. Errors of the HelpdeskError family
become one line on stderr and exit 2; nothing reaches the user as a traceback.
"""

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from helpdesk.domain.errors import HelpdeskError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
JSON_HELP = "wynik jako JSON (dla skryptów)"


class CliContext:
    """Lazily built settings and container, so `--help` and pure commands need no database."""

    def __init__(self) -> None:
        self._container: Any = None
        self._settings: Any = None

    @property
    def settings(self) -> Any:
        """Settings from the environment (SettingsError names the bad variable)."""
        if self._settings is None:
            from helpdesk.settings import load_settings

            self._settings = load_settings()
        return self._settings

    def container(self, schema_required: bool = True) -> Any:
        """The wired application (database, contracts, KB) — built on first use.

        Unless `schema_required` is False (init and migrate, which make the schema), a database
        without the code's schema is refused with what to run (SettingsError), rather than failing
        on the first missing table as if the database were down.
        """
        if self._container is None:
            from helpdesk.bootstrap import build_container

            self._container = build_container(self.settings)
            if schema_required:
                self._container.check_schema()
        return self._container

    def close(self) -> None:
        """Release what the container holds."""
        if self._container is not None:
            self._container.close()


# argparse's own messages (Python 3.11–3.13 wording), in Polish: whoever runs the command reads
# Polish first. A message not listed here is shown as argparse wrote it.
_POLISH_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), polish)
    for pattern, polish in (
        (r"invalid choice: (.+?) \(choose from (.*)\)$", r"nieznana wartość \1 (do wyboru: \2)"),
        (r"^the following arguments are required: (.*)$", r"brak wymaganych argumentów: \1"),
        (r"^unrecognized arguments: (.*)$", r"nieznane argumenty: \1"),
        (r"^one of the arguments (.*) is required$", r"wymagany jest jeden z argumentów: \1"),
        (r"not allowed with argument (.*)$", r"nie można użyć razem z argumentem \1"),
        (r"^ambiguous option: (.+?) could match (.*)$", r"niejednoznaczna opcja \1 (pasuje do: \2)"),
        (r"expected one argument$", "brak wartości (oczekiwano jednej)"),
        (r"expected at most one argument$", "oczekiwano najwyżej jednej wartości"),
        (r"expected at least one argument$", "oczekiwano co najmniej jednej wartości"),
        (r"expected (\d+) arguments?$", r"oczekiwano \1 wartości"),
        (r"invalid (\w+) value: (.*)$", r"nieprawidłowa wartość (\1): \2"),
        (r"ignored explicit argument (.*)$", r"zignorowano podaną wartość \1"),
    )
)


def polish_usage_error(message: str) -> str:
    """argparse's usage error in Polish (its known wordings; anything else unchanged)."""
    for pattern, polish in _POLISH_MESSAGES:
        message = pattern.sub(polish, message)
    return message


class _PolishHelpFormatter(argparse.HelpFormatter):
    """Help whose usage line starts with "użycie:" rather than "usage:"."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        """The usage line, headed in Polish."""
        super().add_usage(usage, actions, groups, "użycie: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse that speaks Polish and reports usage errors as one line and exit 2, so that scripts
    can tell a usage error from a failed command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """A parser with Polish help: section titles, the -h option, the usage heading."""
        kwargs.setdefault("formatter_class", _PolishHelpFormatter)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False  # the -h option is added below, with Polish help
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenty"
        self._optionals.title = "opcje"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="pokaż tę pomoc i zakończ")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """An argument; `--json` without its own help gets the one every command shares."""
        if "--json" in args and not kwargs.get("help"):
            kwargs["help"] = JSON_HELP
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> Any:  # type: ignore[override]
        """One Polish line on stderr, exit 2."""
        print(f"helpdesk: błąd: {polish_usage_error(message)} (zobacz: helpdesk --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def emit_json(obj: Any) -> None:
    """Print one JSON object on its own line (UTF-8 kept)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


Handler = Callable[[argparse.Namespace, CliContext], int]


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every command group registered."""
    from helpdesk.cli import audit, core, kb, outbox, people, report, sla

    parser = _Parser(prog="helpdesk", description="Help-desk e-Urzędu: baza wiedzy, zgłoszenia, SLA.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in (core, kb, sla, report, audit, outbox, people):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    ctx = CliContext()
    handler: Handler = args.func
    try:
        return handler(args, ctx)
    except HelpdeskError as err:
        print(f"helpdesk: błąd: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    finally:
        ctx.close()


def run() -> None:
    """Console-script wrapper that exits with main()'s code."""
    raise SystemExit(main())
