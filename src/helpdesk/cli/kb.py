"""`helpdesk kb import|ask|report|drafts|publish|discard`: load articles, ask what the bot would answer,
see what it achieves, and review drafts made of tickets.

`kb report deflection` shows the honest deflection figure per office and component;
`kb report unanswered` the questions that got no answer, grouped by similarity;
`kb drafts` lists the drafts waiting for review (with the id each would be published under),
`kb publish ID [--id NEW_ID]` and `kb discard ID` decide on one (as the operator, or `--as LOGIN`
with that person's role and name in the history). `kb proposals [--all]` lists what the knowledge
base learned from tickets (new phrasings, counter-examples); `kb accept N` and `kb reject N` decide.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext, emit_json
from helpdesk.domain.errors import InvalidInput, describe_json_error, describe_os_error


def register(sub: Any) -> None:
    """Add `kb import`, `kb ask`, `kb report deflection|unanswered`, `kb drafts`, `kb publish`, `kb discard`."""
    kb = sub.add_parser("kb", help="baza wiedzy: import artykułów i pytania")
    ksub = kb.add_subparsers(dest="kb_command", metavar="ACTION", parser_class=sub._parser_class)
    ksub.required = True
    p = ksub.add_parser("import", help="importuj pliki lub katalogi artykułów (.md)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="pliki .md albo katalogi z nimi")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
    p = ksub.add_parser("ask", help="odpowiedź, jakiej udzieliłby bot")
    p.add_argument("text", nargs="?", metavar="TEXT", help="treść pytania")
    p.add_argument("--batch", metavar="FILE", help="plik z pytaniami, po jednym w linii ('-' = stdin)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)
    p = ksub.add_parser("report", help="raporty: skuteczność odpowiedzi i pytania bez odpowiedzi")
    rsub = p.add_subparsers(dest="kb_report", metavar="REPORT", parser_class=sub._parser_class)
    rsub.required = True
    for name, help_text in (
        ("deflection", "ile odpowiedzi naprawdę zastąpiło zgłoszenie (urzędy, komponenty)"),
        ("unanswered", "pytania bez odpowiedzi pogrupowane według podobieństwa"),
    ):
        r = rsub.add_parser(name, help=help_text)
        r.add_argument("--from", dest="date_from", metavar="DATE", required=True, help="od dnia RRRR-MM-DD")
        r.add_argument(
            "--to", dest="date_to", metavar="DATE", required=True, help="do dnia RRRR-MM-DD włącznie"
        )
        r.add_argument("--office", metavar="KOD", help="tylko pytania z tego urzędu (kod TERYT)")
        r.add_argument("--json", action="store_true")
        r.set_defaults(func=cmd_report_deflection if name == "deflection" else cmd_report_unanswered)
    p = ksub.add_parser("drafts", help="szkice artykułów czekające na przegląd")
    p.add_argument("--json", action="store_true", help="jeden szkic na linię (JSON Lines)")
    p.set_defaults(func=cmd_drafts)
    for name, help_text, func in (
        ("publish", "opublikuj szkic: od razu służy do odpowiedzi", cmd_publish),
        ("discard", "odrzuć szkic (historia zostaje, szkic nie służy do odpowiedzi)", cmd_discard),
    ):
        p = ksub.add_parser(name, help=help_text)
        p.add_argument("id", metavar="ID", help="id szkicu, np. szkic-t-000042")
        if name == "publish":
            p.add_argument(
                "--id",
                dest="new_id",
                metavar="NEW_ID",
                help="id artykułu po publikacji (adres /kb/NEW_ID); domyślnie komponent i tytuł, "
                "np. sprzet-rzutnik-nie-wyswietla-obrazu",
            )
        p.add_argument(
            "--as",
            dest="as_login",
            metavar="LOGIN",
            help="w imieniu tej osoby (koordynator lub administrator); zapisane w historii",
        )
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)
    p = ksub.add_parser("proposals", help="propozycje z pytań: nowe sformułowania i kontrprzykłady")
    p.add_argument("--all", action="store_true", help="także przyjęte i odrzucone")
    p.add_argument("--json", action="store_true", help="jedna propozycja na linię (JSON Lines)")
    p.set_defaults(func=cmd_proposals)
    for name, help_text, func in (
        ("accept", "przyjmij propozycję: od razu bierze udział w dopasowaniu", cmd_accept),
        ("reject", "odrzuć propozycję (zostaje zapisana, nie jest używana)", cmd_reject),
    ):
        p = ksub.add_parser(name, help=help_text)
        p.add_argument("id", metavar="N", help="numer propozycji (kb proposals)")
        p.add_argument(
            "--as",
            dest="as_login",
            metavar="LOGIN",
            help="w imieniu tej osoby (koordynator lub administrator); zapisane przy propozycji",
        )
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import articles; re-import updates by id and keeps history."""
    from helpdesk.adapters.files.articles import load_articles

    paths = [Path(p) for p in args.paths]
    for path in paths:
        if not path.exists():
            raise InvalidInput(f"{path}: nie ma takiego pliku ani katalogu")
    articles = load_articles(paths)
    if not articles:
        raise InvalidInput("nie znaleziono żadnych artykułów (*.md)")
    counts = ctx.container().kb.import_articles(articles, actor="cli")
    if args.json:
        emit_json(counts)
    else:
        print(
            f"Artykuły: {counts['added']} nowych, {counts['updated']} zaktualizowanych, "
            f"{counts['unchanged']} bez zmian."
        )
    return EXIT_OK


def _question(line: str, number: int) -> str:
    text = line.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput(f"linia {number}: niepoprawny JSON ({describe_json_error(err)})") from err
        if not isinstance(data.get("q"), str):
            raise InvalidInput(f"linia {number}: obiekt JSON musi mieć pole 'q' z tekstem pytania")
        return str(data["q"])
    return text


def cmd_ask(args: argparse.Namespace, ctx: CliContext) -> int:
    """Answer one question, or one per line with --batch (JSON Lines out, same order)."""
    kb = ctx.container().kb
    if args.batch:
        if args.text:
            raise InvalidInput("podaj pytanie albo --batch, nie oba")
        if args.batch == "-":
            lines = sys.stdin.read().splitlines()
        else:
            try:
                lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
            except OSError as err:
                raise InvalidInput(
                    f"{args.batch}: nie można odczytać pliku ({describe_os_error(err)})"
                ) from err
            except UnicodeDecodeError as err:
                raise InvalidInput(f"{args.batch}: plik nie jest zapisany w UTF-8") from err
        questions = [_question(line, i) for i, line in enumerate(lines, start=1)]
        for question in questions:
            emit_json(kb.answer(question, record=False))
        return EXIT_OK
    if not args.text or not args.text.strip():
        raise InvalidInput("podaj treść pytania albo --batch PLIK")
    result = kb.answer(args.text, record=False)
    if args.json:
        emit_json(result)
    elif result["answered"]:
        print(f"{result['article']['title']}\n{result['article']['url']}\n(pewność {result['score']:.2f})")
    else:
        print("Brak pewnej odpowiedzi w bazie wiedzy – bot zaproponuje założenie zgłoszenia.")
        if result["suggestions"]:
            print("Może chodzi o…")
            for c in result["suggestions"]:
                print(f"  {c['title']} ({c['score']:.2f}): {c['url']}")
    return EXIT_OK


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


def cmd_report_deflection(args: argparse.Namespace, ctx: CliContext) -> int:
    """Deflection per office and component over --from..--to (dates inclusive)."""
    from helpdesk.services.kb.insights import parse_period

    since, until = parse_period(args.date_from, args.date_to, ctx.settings.tz)
    report = ctx.container().kb_insights.deflection(since, until, office=args.office)
    if args.json:
        emit_json(report)
        return EXIT_OK
    total = report["total"]
    print(
        f"Skuteczność bazy wiedzy {args.date_from} – {args.date_to} (stan na {report['as_of']}; "
        f"odpowiedź liczy się dopiero po {report['window_days']} dniach bez zgłoszenia w tej sprawie)"
    )
    header = f"{'':<22}{'pytania':>8}{'odp.':>6}{'pomogła':>8}{'nie':>5}{'zgł.':>6}{'czeka':>7}{'uniknięte':>10}{'odsetek':>10}"
    for title, key, rows in (
        ("Urzędy", "office", report["offices"]),
        ("Komponenty", "component", report["components"]),
        ("Razem", None, [{**total, "office": "razem"}]),
    ):
        print(f"\n{title}\n{header}")
        for row in rows:
            label = str(row[key or "office"])
            print(
                f"{label[:21]:<22}{row['questions']:>8}{row['answered']:>6}{row['helpful']:>8}{row['unhelpful']:>5}"
                f"{row['followed_by_ticket']:>6}{row['pending']:>7}{row['deflected']:>10}{_percent(row['rate']):>10}"
            )
    return EXIT_OK


def cmd_report_unanswered(args: argparse.Namespace, ctx: CliContext) -> int:
    """Unanswered questions over --from..--to grouped by similarity, biggest group first."""
    from helpdesk.services.kb.insights import parse_period

    since, until = parse_period(args.date_from, args.date_to, ctx.settings.tz)
    report = ctx.container().kb_insights.unanswered(since, until, office=args.office)
    if args.json:
        emit_json(report)
        return EXIT_OK
    print(
        f"Pytania bez odpowiedzi {args.date_from} – {args.date_to}: {report['unanswered']} "
        f"(w tym {report['small_talk']} powitań i podziękowań), tematów: {len(report['groups'])}"
    )
    for group in report["groups"]:
        print(f"{group['count']:>5} × {group['representative']}  [urzędy: {', '.join(group['offices'])}]")
        for example in group["examples"]:
            print(f"        np. {example}")
    return EXIT_OK


OPERATOR_LOGIN = "cli"


def _reviewer(ctx: CliContext, login: str | None) -> Any:
    """Who acts: the named person (their role decides), or the operator at the console (an admin)."""
    from helpdesk.domain.people import Person
    from helpdesk.domain.roles import Role

    if login is None:
        return Person(id=0, login=OPERATOR_LOGIN, name="operator (wiersz poleceń)", role=Role.ADMIN)
    return ctx.container().people.person(login.strip())


def cmd_drafts(args: argparse.Namespace, ctx: CliContext) -> int:
    """Drafts waiting for review, the longest waiting first (JSON Lines with --json)."""
    items = ctx.container().kb_drafts.list_drafts(_reviewer(ctx, None))
    if args.json:
        for item in items:
            emit_json(item)
        return EXIT_OK
    if not items:
        print("Brak szkiców artykułów do przejrzenia.")
        return EXIT_OK
    print(f"Szkice artykułów do przejrzenia: {len(items)}")
    for item in items:
        print(f"{item['id']:<20} {item['component']:<12} {item['title'][:60]}")
        print(
            f"{'':<20} ze zgłoszenia {item['ticket'] or '—'} (urząd {item['office'] or '—'}), "
            f"szkic: {item['drafted_by'] or '—'} {(item['drafted_at'] or '')[:16].replace('T', ' ')}, "
            f"wersja {item['version']}"
        )
        print(
            f"{'':<20} po publikacji: {item['suggested_id'] or '—'} (inne id: kb publish {item['id']} --id …)"
        )
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, ctx: CliContext) -> int:
    """Publish a draft under NEW_ID (or the derived id); a running server answers from it within seconds."""
    article = ctx.container().kb_drafts.publish(_reviewer(ctx, args.as_login), args.id, new_id=args.new_id)
    if args.json:
        emit_json(article)
    elif article["renamed_from"]:
        print(
            f"Opublikowano szkic '{article['renamed_from']}' jako '{article['id']}' "
            f"(wersja {article['version']}): {article['url']}"
        )
    else:
        print(f"Opublikowano '{article['id']}' (wersja {article['version']}): {article['url']}")
    return EXIT_OK


def cmd_discard(args: argparse.Namespace, ctx: CliContext) -> int:
    """Discard a draft; it stays in the history and is never used for answers."""
    draft = ctx.container().kb_drafts.discard(_reviewer(ctx, args.as_login), args.id)
    if args.json:
        emit_json(draft)
    else:
        print(f"Odrzucono szkic '{draft['id']}' (wersja {draft['version']}).")
    return EXIT_OK


def cmd_proposals(args: argparse.Namespace, ctx: CliContext) -> int:
    """Proposals learned from tickets, the oldest first (JSON Lines with --json)."""
    items = ctx.container().kb_proposals.list(_reviewer(ctx, None), None if args.all else "pending")
    if args.json:
        for item in items:
            emit_json(item)
        return EXIT_OK
    if not items:
        print("Brak propozycji z pytań." if args.all else "Brak propozycji z pytań czekających na decyzję.")
        return EXIT_OK
    for item in items:
        print(f"{item['id']:>5}  {item['kind_label']} → {item['article_id']} ({item['status_label']})")
        print(f"{'':>5}  „{item['text'][:100]}”")
        origin = f"ze zgłoszenia {item['ticket']}" if item["ticket"] else "z oceny odpowiedzi"
        decided = f"; {item['decided_by']} {item['decided_at']}" if item["decided_at"] else ""
        print(f"{'':>5}  {origin}, {item['proposed_by'] or '—'} {item['proposed_at']}{decided}")
    return EXIT_OK


def _decided(args: argparse.Namespace, item: dict[str, Any]) -> int:
    if args.json:
        emit_json(item)
    else:
        print(
            f"Propozycja {item['id']} ({item['kind_label']} → {item['article_id']}): {item['status_label']}."
        )
    return EXIT_OK


def cmd_accept(args: argparse.Namespace, ctx: CliContext) -> int:
    """Accept a proposal; a running server matches with it within seconds."""
    return _decided(args, ctx.container().kb_proposals.accept(_reviewer(ctx, args.as_login), args.id))


def cmd_reject(args: argparse.Namespace, ctx: CliContext) -> int:
    """Reject a proposal; it is kept with who rejected it and never used."""
    return _decided(args, ctx.container().kb_proposals.reject(_reviewer(ctx, args.as_login), args.id))
