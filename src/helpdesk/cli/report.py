"""`helpdesk report sla`: the auditors' SLA report (see services/sla/report.py for what it counts)."""

import argparse
import sys
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext
from helpdesk.domain.errors import InvalidInput, describe_os_error
from helpdesk.services.sla.report import sla_report
from helpdesk.services.sla.report_formats import FORMATS, render
from helpdesk.services.sla.statement import FORMATS as STATEMENT_FORMATS
from helpdesk.services.sla.statement import build_statement
from helpdesk.services.sla.statement import render as render_statement


def register(sub: Any) -> None:
    """Add the `report` command group with its `sla` subcommand."""
    report = sub.add_parser("report", help="raporty dla audytorów i koordynatorów")
    rsub = report.add_subparsers(dest="report_command", metavar="REPORT", parser_class=sub._parser_class)
    rsub.required = True
    p = rsub.add_parser("sla", help="raport SLA Wykonawców za okres (daty włącznie, czas polski)")
    p.add_argument("--from", dest="date_from", required=True, help="pierwszy dzień okresu, RRRR-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="ostatni dzień okresu, RRRR-MM-DD")
    p.add_argument("--contract", help="tylko ta umowa (id)")
    p.add_argument("--office", help="tylko ten urząd (kod TERYT)")
    p.add_argument("--component", help="tylko ten komponent")
    p.add_argument("--priority", help="tylko ten priorytet (low, normal, high, critical)")
    p.add_argument("--format", choices=FORMATS, default="json", help="format raportu (domyślnie json)")
    p.add_argument("--out", type=Path, help="plik wynikowy (domyślnie: standardowe wyjście)")
    p.set_defaults(func=cmd_sla)
    st = rsub.add_parser(
        "statement",
        help="miesięczne zestawienie kar umownych jednej umowy (html, xlsx, json)",
        description="Zestawienie kar umownych za miesiąc, jakie Urząd Marszałkowski wysyła Wykonawcy: "
        "kary w kolejności przekroczeń terminów, z uwzględnieniem łącznego limitu kar.",
    )
    st.add_argument("--contract", required=True, help="id umowy")
    st.add_argument("--month", required=True, help="miesiąc, RRRR-MM")
    st.add_argument(
        "--format", choices=STATEMENT_FORMATS, default="html", help="format zestawienia (domyślnie html)"
    )
    st.add_argument("--out", type=Path, help="plik wynikowy (domyślnie: standardowe wyjście)")
    st.set_defaults(func=cmd_statement)


def cmd_sla(args: argparse.Namespace, ctx: CliContext) -> int:
    """Compute the report from the database and write it in the chosen format."""
    container = ctx.container()
    report = sla_report(
        container.db,
        container.contracts,
        container.clock.now(),
        container.settings.tz,
        args.date_from,
        args.date_to,
        contract=args.contract,
        details=args.format in ("json", "csv", "xlsx", "html"),
        offices=container.sla.book(),
        office=args.office,
        component=args.component,
        priority=args.priority,
    )
    if args.format in ("csv", "xlsx", "html"):
        report["links"] = container.settings.public_url  # each ticket's row links its page
    return _write(args, render(report, args.format))


def cmd_statement(args: argparse.Namespace, ctx: CliContext) -> int:
    """The monthly penalty statement of one contract."""
    container = ctx.container()
    statement = build_statement(
        container.db,
        container.contracts,
        container.clock.now(),
        container.settings.tz,
        args.contract,
        args.month,
        offices=container.sla.book(),
        office_names=container.people.all_office_names(),
    )
    return _write(args, render_statement(statement, args.format))


def _write(args: argparse.Namespace, data: bytes) -> int:
    if args.out is not None:
        try:
            args.out.write_bytes(data)
        except OSError as err:
            raise InvalidInput(f"nie można zapisać pliku {args.out}: {describe_os_error(err)}") from err
        return EXIT_OK
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return EXIT_OK
