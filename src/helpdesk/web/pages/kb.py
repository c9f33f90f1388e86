"""Knowledge-base pages: `/kb` to browse by component and search (the bot's matcher first, then
titles), and an article rendered from Markdown and sanitised, with its history (asking as one
would ask the bot is pages/ask.py). Articles are public (links go out in bot messages and mails).

Markdown: markdown-it-py with raw HTML off renders the body; nh3 then keeps only the tags and
attributes listed here, so whatever an article holds cannot run script or style the page."""

from typing import Any

import nh3
from aiohttp import web
from markdown_it import MarkdownIt
from markupsafe import Markup

from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.kb.article import Article
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.web.common import CONTAINER, optional_person, run
from helpdesk.web.pages.render import error_page, render

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
PER_PAGE = 50


def markdown_html(text: str) -> Markup:
    """Markdown as sanitised HTML (safe to put into a page as it is)."""
    html = _MD.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def _articles(request: web.Request) -> dict[str, Article]:
    return request.app[CONTAINER].kb.matcher()[1]


async def kb_index(request: web.Request) -> web.StreamResponse:
    """GET /kb: articles by component, or the ones matching `q`."""
    container = request.app[CONTAINER]
    person = await optional_person(request)
    q = request.query.get("q", "").strip()[:300]
    component = request.query.get("komponent", "")
    articles = await run(request, _articles, request)
    found: list[Article] = []
    answer: dict[str, Any] | None = None
    if q:
        try:
            answer = await run(request, lambda: container.kb.answer(q, person, "web", record=False))
        except HelpdeskError:
            answer = None
        ids = [c["id"] for c in (answer or {}).get("candidates", [])]
        found = [articles[i] for i in ids if i in articles]
        words = q.lower()
        found += [a for a in articles.values() if words in a.title.lower() and a not in found]
        found = found[:PER_PAGE]
    elif component:
        found = sorted((a for a in articles.values() if a.component == component), key=lambda a: a.title)
    counts: dict[str, int] = {}
    for a in articles.values():
        counts[a.component] = counts.get(a.component, 0) + 1
    context = {
        "title": "Baza wiedzy",
        "q": q,
        "component": component,
        "found": found[:500],
        "more": max(0, len(found) - 500),
        "answer": answer,
        "counts": sorted(counts.items()),
        "labels": COMPONENT_LABELS_PL,
    }
    return await render(request, "kb/index.html", context, person=person)


async def article_page(request: web.Request) -> web.StreamResponse:
    """GET /kb/{id}: one article (its old draft address redirects to it)."""
    container = request.app[CONTAINER]
    person = await optional_person(request)
    article_id = request.match_info["id"]
    try:
        article = await run(request, container.kb.article, article_id)
    except HelpdeskError as err:
        moved = await run(request, container.kb_drafts.published_as, article_id)
        if moved is not None:  # a draft's address from before it was published under its final id
            raise web.HTTPMovedPermanently(f"/kb/{moved}") from err
        return await error_page(request, 404, str(err))
    history = await run(request, container.kb.history, article.id)
    context = {
        "title": article.title,
        "article": article,
        "body": markdown_html(article.body),
        "history": history,
        "component_label": COMPONENT_LABELS_PL.get(article.component, article.component),
    }
    return await render(request, "kb/article.html", context, person=person)


def setup(app: web.Application) -> None:
    """Register the knowledge-base pages."""
    app.router.add_get("/kb", kb_index)
    app.router.add_get("/kb/{id}", article_page)
