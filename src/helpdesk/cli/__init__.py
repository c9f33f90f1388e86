"""The `helpdesk` command (README: Try it). Each command group lives in its own module with `register()`.

Every handler has the signature `handler(args, ctx) -> int`. Errors of the HelpdeskError family
become one line on stderr and exit 2; nothing reaches the user as a traceback.
"""

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from helpdesk.domain.errors import HelpdeskError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


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

    def container(self) -> Any:
        """The wired application (database, contracts, KB) — built on first use."""
        if self._container is None:
            from helpdesk.bootstrap import build_container

            self._container = build_container(self.settings)
        return self._container

    def close(self) -> None:
        """Release what the container holds."""
        if self._container is not None:
            self._container.close()


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit 2, so that scripts can tell a usage error from a failed command."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        print(f"helpdesk: błąd: {message} (zobacz: helpdesk --help)", file=sys.stderr)
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
