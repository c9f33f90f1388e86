"""Read knowledge-base article files (SPEC §4.1): Markdown with YAML front matter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.kb.article import Article
from helpdesk.domain.offices import parse_component

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FENCE = "---"
_REQUIRED = ("id", "title", "component")


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


def _string_list(value: Any, name: str, path: Path, line: int | None) -> tuple[str, ...]:
    """A list of non-empty strings, or an error naming the field."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ArticleFileError(f"{_where(path, line)}: pole '{name}' musi być listą tekstów")
    return tuple(str(v).strip() for v in value if str(v).strip())


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
    for key in _REQUIRED:
        value = meta.get(key)
        if value is None or not str(value).strip():
            raise ArticleFileError(f"{_where(path, key_lines.get(key, closing))}: brak pola '{key}'")
    article_id = str(meta["id"]).strip()
    if not _ID_RE.match(article_id):
        raise ArticleFileError(
            f"{_where(path, key_lines.get('id'))}: id '{article_id}' może zawierać tylko małe litery ascii, cyfry i myślniki"
        )
    try:
        component = parse_component(str(meta["component"]))
    except InvalidInput as err:
        raise ArticleFileError(f"{_where(path, key_lines.get('component'))}: {err}") from err
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise ArticleFileError(f"{_where(path, closing)}: artykuł nie ma treści")
    return Article(
        id=article_id,
        title=str(meta["title"]).strip(),
        component=component,
        tags=_string_list(meta.get("tags"), "tags", path, key_lines.get("tags")),
        questions=_string_list(meta.get("questions"), "questions", path, key_lines.get("questions")),
        body=body,
        source=str(path),
    )


def load_article(path: Path) -> Article:
    """Read and parse one article file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ArticleFileError(f"{path}: plik nie jest w kodowaniu UTF-8") from err
    except OSError as err:
        raise ArticleFileError(f"{path}: nie można odczytać pliku ({err.strerror})") from err
    return parse_article(text, path)


def _expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every **/*.md under folders (README.md skipped), in stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.glob("**/*.md")) if p.name.lower() != "readme.md" and p.is_file())
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
