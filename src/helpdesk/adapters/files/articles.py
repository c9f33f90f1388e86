"""Read knowledge-base article files (knowledge_base/**/*.md): Markdown with YAML front matter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from helpdesk.domain.errors import InvalidInput, describe_os_error
from helpdesk.domain.kb.article import FIELDS, Article, ArticleFieldError, make_article

_FENCE = "---"


class ArticleFileError(InvalidInput):
    """An article file that cannot be read; the message names the file and, when known, the line."""


def _where(path: Path, line: int | None) -> str:
    """'path:line' for messages."""
    return f"{path}:{line}" if line is not None else str(path)


def _key_lines(front_lines: list[str]) -> dict[str, int]:
    """Line numbers (1-based, in the file) of the top-level keys of the front matter."""
    lines: dict[str, int] = {}
    for i, raw in enumerate(front_lines, start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", raw)
        if match:
            lines.setdefault(match.group(1), i)
    return lines


def parse_article(text: str, path: Path) -> Article:
    """Parse one article file's text; errors name the file and the line."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise ArticleFileError(f"{_where(path, 1)}: brak nagłówka YAML (plik musi zaczynać się od '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise ArticleFileError(f"{_where(path, 1)}: nagłówek YAML nie jest zamknięty linią '---'") from None
    front_lines = lines[1:end]
    try:
        meta = yaml.safe_load("\n".join(front_lines))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(err, "problem", None) or "niepoprawny YAML"
        raise ArticleFileError(f"{_where(path, line)}: niepoprawny nagłówek YAML: {problem}") from err
    if not isinstance(meta, dict):
        raise ArticleFileError(f"{_where(path, 2)}: nagłówek YAML musi być słownikiem pól")
    key_lines = _key_lines(front_lines)
    closing = end + 1
    body = "\n".join(lines[end + 1 :]).strip()
    values = {key: meta.get(key) for key in FIELDS if key != "body"}
    values["body"] = body
    try:
        return make_article(values, source=str(path))
    except ArticleFieldError as err:
        if err.field == "body":
            line = closing
            message = "artykuł nie ma treści" if not body else str(err)
        else:
            line = key_lines.get(err.field, closing)
            message = str(err)
        raise ArticleFileError(f"{_where(path, line)}: {message}") from err


def load_article(path: Path) -> Article:
    """Read and parse one article file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ArticleFileError(f"{path}: plik nie jest w kodowaniu UTF-8") from err
    except OSError as err:
        raise ArticleFileError(f"{path}: nie można odczytać pliku ({describe_os_error(err)})") from err
    return parse_article(text, path)


def _expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every **/*.md under folders (README.md skipped), in stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.glob("**/*.md")) if p.name.lower() != "readme.md" and p.is_file()
            )
        elif path.is_file():
            files.append(path)
        else:
            raise ArticleFileError(f"{path}: nie ma takiego pliku ani katalogu")
    return files


def load_articles(paths: list[Path]) -> list[Article]:
    """Load articles from files and folders; ids must be unique across all of them."""
    articles: list[Article] = []
    seen: dict[str, Path] = {}
    for file in _expand(paths):
        article = load_article(file)
        if article.id in seen:
            lines = file.read_text(encoding="utf-8").splitlines()
            line = next((i for i, raw in enumerate(lines, start=1) if raw.startswith("id:")), 1)
            raise ArticleFileError(f"{file}:{line}: id '{article.id}' jest już użyte w {seen[article.id]}")
        seen[article.id] = file
        articles.append(article)
    return articles
