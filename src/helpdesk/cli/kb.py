"""`helpdesk kb import|ask`: load articles into the database, and ask what the bot would answer."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext, emit_json
from helpdesk.domain.errors import InvalidInput


def register(sub: Any) -> None:
    """Add `kb import` and `kb ask`."""
    kb = sub.add_parser("kb", help="baza wiedzy: import artykułów i pytania")
    ksub = kb.add_subparsers(dest="kb_command", metavar="ACTION", parser_class=sub._parser_class)
    ksub.required = True
    p = ksub.add_parser("import", help="importuj pliki lub katalogi artykułów (.md)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
    p = ksub.add_parser("ask", help="odpowiedź, jakiej udzieliłby bot")
    p.add_argument("text", nargs="?", metavar="TEXT")
    p.add_argument("--batch", metavar="FILE", help="plik z pytaniami, po jednym w linii ('-' = stdin)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)


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
        print(f"Artykuły: {counts['added']} nowych, {counts['updated']} zaktualizowanych, "
              f"{counts['unchanged']} bez zmian.")
    return EXIT_OK


def _question(line: str, number: int) -> str:
    text = line.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput(f"linia {number}: niepoprawny JSON ({err.msg})") from err
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
                raise InvalidInput(f"{args.batch}: nie można odczytać pliku ({err.strerror})") from err
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
        for c in result["candidates"]:
            print(f"  może: {c['id']} ({c['score']:.2f})")
    return EXIT_OK
