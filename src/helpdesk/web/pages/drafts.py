"""The review of article drafts and of the proposals learned from questions: the handlers and what
they hand to the templates `kb/drafts.html` (the list and the proposals), `kb/draft.html` (one draft)
and `kb/drafts_error.html` (a refusal). The templates are autoescaped; every form that posts carries
the form token itself (`csrf`, web/pages/render.py) and goes with the session cookie (SameSite=Lax).

A draft is published under the id in the form's "Adres artykułu" field, prefilled with the suggested
one (component and title); left as suggested, it follows the title as published. After publishing,
the draft's old addresses (`/kb/szkic-t-000042`, `/drafts/szkic-t-000042`) redirect permanently
(301) to the article's."""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from helpdesk.domain.errors import Forbidden, HelpdeskError, NotAuthenticated
from helpdesk.domain.kb.article import MAX_ID, MAX_TITLE, STATUS_LABELS_PL
from helpdesk.domain.offices import COMPONENT_LABELS_PL, COMPONENTS
from helpdesk.domain.people import Person
from helpdesk.services.kb.drafts import DECIDE_ROLES, DraftPublished
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.kb import markdown_html
from helpdesk.web.pages.render import render, signed_in

NOTICE_MAX = 200
"""How much of a notice taken from the address is shown (it comes back from a redirect, but anyone can
type a link)."""
PROPOSAL_SHOWN = 300
"""How much of a proposal's question the list shows."""


# --- drafts of articles ---------------------------------------------------------------------


async def _error_page(
    request: web.Request,
    title: str,
    err: HelpdeskError,
    person: Person,
    back: str = "",
    published: str | None = None,
) -> web.Response:
    """A refusal with its status; `published` links the article a draft has become since."""
    context = {"title": title, "error": str(err), "back": back, "published": published}
    return await render(request, "kb/drafts_error.html", context, status=status_of(err), person=person)


async def _reviewer(request: web.Request) -> Person:
    return await signed_in(request)


async def _names(request: web.Request, logins: list[Any], offices: list[Any]) -> dict[str, dict[str, str]]:
    """People and offices of a page by name (`names`, `offices` for the templates' macros)."""
    people = request.app[CONTAINER].people
    return {
        "names": await run(request, people.names, logins),
        "offices": await run(request, people.office_names, [o for o in offices if o]),
    }


async def drafts_page(request: web.Request) -> web.StreamResponse:
    """GET /drafts: the drafts waiting for review that the person may see, then the proposals."""
    person = await _reviewer(request)
    try:
        items = await run(request, request.app[CONTAINER].kb_drafts.list_drafts, person)
    except HelpdeskError as err:
        return await _error_page(request, "Szkice artykułów", err, person)
    proposals = await run(request, request.app[CONTAINER].kb_proposals.list, person)
    logins = [d.get(k) for d in items for k in ("drafted_by", "updated_by")] + [
        p.get("proposed_by") for p in proposals
    ]
    context = {
        "title": "Szkice artykułów",
        **await _names(request, logins, [d.get("office") for d in items]),
        "drafts": items,
        "discarded": request.query.get("odrzucono", "")[:NOTICE_MAX],
        "proposals": [{**p, "text": p["text"][:PROPOSAL_SHOWN]} for p in proposals],
        "decided": request.query.get("propozycja", "")[:NOTICE_MAX],
        "decide": person.role in DECIDE_ROLES,
    }
    return await render(request, "kb/drafts.html", context, person=person)


async def _proposal_post(request: web.Request, decision: str) -> web.StreamResponse:
    """POST /proposals/{id}/accept|reject: decide, then back to the drafts page."""
    person = await _reviewer(request)
    service = request.app[CONTAINER].kb_proposals
    act = service.accept if decision == "accept" else service.reject
    try:
        item = await run(request, act, person, request.match_info["id"])
    except HelpdeskError as err:
        return await _error_page(request, "Propozycje z pytań", err, person, "/drafts")
    done = f"Propozycja {item['id']}: {item['status_label']}."
    raise web.HTTPSeeOther(f"/drafts?{urlencode({'propozycja': done})}")


async def proposal_accept(request: web.Request) -> web.StreamResponse:
    """POST /proposals/{id}/accept."""
    return await _proposal_post(request, "accept")


async def proposal_reject(request: web.Request) -> web.StreamResponse:
    """POST /proposals/{id}/reject."""
    return await _proposal_post(request, "reject")


def _form_values(form: Any) -> dict[str, Any]:
    """Edits from the draft form: tags comma-separated, one question a line; only fields sent."""
    values: dict[str, Any] = {}
    for name in ("title", "component", "body"):
        if name in form:
            values[name] = str(form.get(name, ""))
    if "tags" in form:
        values["tags"] = [t.strip() for t in str(form.get("tags", "")).split(",") if t.strip()]
    if "questions" in form:
        values["questions"] = [q.strip() for q in str(form.get("questions", "")).splitlines() if q.strip()]
    return values


def _form_version(form: Any) -> int | None:
    raw = str(form.get("version", "")).strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _publish_id(form: Any) -> str | None:
    """The id to publish under from the form: None (derive it from the final title) when left empty or
    as suggested; anything else as typed (the service checks it)."""
    typed = str(form.get("id", "")).strip()
    return None if not typed or typed == str(form.get("suggested_id", "")).strip() else typed


async def _draft_response(
    request: web.Request,
    person: Person,
    draft: dict[str, Any],
    values: dict[str, Any] | None = None,
    error: str = "",
    notice: str = "",
    publish_id: str | None = None,
    status: int = 200,
) -> web.Response:
    """The draft page: facts, the edit form, publish / discard for those who decide, preview, history.
    `values` (what was typed) fill the form over the saved draft, so a refused edit is not lost."""
    shown = {**draft, **(values or {})}
    components = [(c, COMPONENT_LABELS_PL.get(c, c)) for c in COMPONENTS]
    if shown["component"] not in COMPONENTS:  # an old article's component is kept, not silently changed
        components.insert(0, (str(shown["component"]), str(shown["component"])))
    suggested = str(draft.get("suggested_id") or "")
    logins = [
        draft.get("drafted_by"),
        draft.get("updated_by"),
        *(h.get("by") for h in draft.get("history") or []),
    ]
    context = {
        "title": f"Szkic: {draft['title']}",
        **await _names(request, logins, [draft.get("office")]),
        "draft": draft,
        "values": shown,
        "components": components,
        "error": error,
        "notice": notice,
        "decide": person.role in DECIDE_ROLES,
        "suggested_id": suggested,
        "new_id": publish_id if publish_id is not None else suggested,
        "max_id": MAX_ID,
        "max_title": MAX_TITLE,
        "preview": markdown_html(draft["body"]),
        "status_labels": STATUS_LABELS_PL,  # the history keeps "draft", "published": people read Polish
    }
    return await render(request, "kb/draft.html", context, status=status, person=person)


async def draft_page(request: web.Request) -> web.StreamResponse:
    """GET /drafts/{id}: one draft with the edit form (and publish / discard for coordinators)."""
    person = await _reviewer(request)
    try:
        draft = await run(request, request.app[CONTAINER].kb_drafts.get, person, request.match_info["id"])
    except DraftPublished as moved:  # published under its final id since: go there
        raise web.HTTPMovedPermanently(f"/kb/{moved.article_id}") from moved
    except HelpdeskError as err:
        return await _error_page(request, "Szkic artykułu", err, person, "/drafts")
    notice = "Zapisano zmiany szkicu." if request.query.get("zapisano") else ""
    return await _draft_response(request, person, draft, notice=notice)


async def _draft_post(request: web.Request, decision: str) -> web.StreamResponse:
    """POST /drafts/{id}[/publish|/discard]: save, publish or discard, then where the person goes next."""
    person = await _reviewer(request)
    form = await request.post()
    article_id = request.match_info["id"]
    service = request.app[CONTAINER].kb_drafts
    values, version = _form_values(form), _form_version(form)
    publish_id = _publish_id(form)
    try:
        if decision == "publish":
            article = await run(request, service.publish, person, article_id, values, version, publish_id)
            raise web.HTTPSeeOther(f"/kb/{article['id']}")
        if decision == "discard":
            await run(request, service.discard, person, article_id, version)
            raise web.HTTPSeeOther(f"/drafts?odrzucono={article_id}")
        await run(request, service.edit, person, article_id, values, version)
        raise web.HTTPSeeOther(f"/drafts/{article_id}?zapisano=1")
    except HelpdeskError as err:
        if isinstance(err, Forbidden | NotAuthenticated):
            return await _error_page(request, "Szkic artykułu", err, person, "/drafts")
        try:  # show the form again with what the person typed, so no edit is lost
            draft = await run(request, service.get, person, article_id)
        except DraftPublished as moved:
            return await _error_page(
                request, "Szkic artykułu", err, person, "/drafts", published=moved.article_id
            )
        except HelpdeskError:
            return await _error_page(request, "Szkic artykułu", err, person, "/drafts")
        typed_id = str(form.get("id", "")).strip() if decision == "publish" and "id" in form else None
        return await _draft_response(
            request, person, draft, values, error=str(err), publish_id=typed_id, status=status_of(err)
        )


async def draft_save(request: web.Request) -> web.StreamResponse:
    """POST /drafts/{id}: save the edit form."""
    return await _draft_post(request, "save")


async def draft_publish(request: web.Request) -> web.StreamResponse:
    """POST /drafts/{id}/publish: save what the form holds and publish; then the article page."""
    return await _draft_post(request, "publish")


async def draft_discard(request: web.Request) -> web.StreamResponse:
    """POST /drafts/{id}/discard: discard the draft; then the list."""
    return await _draft_post(request, "discard")


def setup(app: web.Application) -> None:
    """Register the draft and proposal pages."""
    app.router.add_get("/drafts", drafts_page)
    app.router.add_get("/drafts/{id}", draft_page)
    app.router.add_post("/drafts/{id}", draft_save)
    app.router.add_post("/drafts/{id}/publish", draft_publish)
    app.router.add_post("/drafts/{id}/discard", draft_discard)
    app.router.add_post("/proposals/{id}/accept", proposal_accept)
    app.router.add_post("/proposals/{id}/reject", proposal_reject)
