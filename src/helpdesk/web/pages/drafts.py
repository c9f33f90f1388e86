"""The review of article drafts and of the proposals learned from questions. Everything shown is
escaped; forms post with the session cookie (SameSite=Lax) and the form token.

A draft is published under the id in the form's "Adres artykułu" field, prefilled with the suggested
one (component and title); left as suggested, it follows the title as published. After publishing,
the draft's old addresses (`/kb/szkic-t-000042`, `/drafts/szkic-t-000042`) redirect permanently
(301) to the article's."""

import re
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from helpdesk.domain.errors import Forbidden, HelpdeskError, NotAuthenticated
from helpdesk.domain.kb.article import MAX_ID, MAX_TITLE
from helpdesk.domain.offices import COMPONENT_LABELS_PL, COMPONENTS
from helpdesk.domain.people import Person
from helpdesk.services.kb.drafts import DECIDE_ROLES, DraftPublished
from helpdesk.web.common import CONTAINER, SESSION_COOKIE, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.kb import markdown_html
from helpdesk.web.pages.render import csrf_token, render, signed_in


def _with_tokens(body: str, token: str) -> str:
    """Every form posting back carries the session's form token (web/pages/render.py)."""
    field = f"<input type='hidden' name='csrf' value='{escape(token)}'>"
    return re.sub(r"(<form\b[^>]*\bmethod='post'[^>]*>)", lambda m: m.group(1) + field, body)


async def layout(request: web.Request, title: str, body: str, person: Person | None = None) -> web.Response:
    """A full HTML page: the body in the site's layout (templates/base.html)."""
    token = csrf_token(request.cookies.get(SESSION_COOKIE))
    return await render(
        request, "base.html", {"title": title, "body": Markup(_with_tokens(body, token))}, person=person
    )


# --- drafts of articles ---------------------------------------------------------------------


def _when(value: str | None) -> str:
    return escape((value or "")[:16].replace("T", " ")) or "—"


async def _error_page(
    request: web.Request,
    title: str,
    err: HelpdeskError,
    person: Person,
    back: str = "",
    published: str | None = None,
) -> web.Response:
    link = f"<p><a href='{escape(back)}'>Wróć</a></p>" if back else ""
    if published:
        link = f"<p><a href='/kb/{escape(published)}'>Zobacz opublikowany artykuł</a></p>" + link
    response = await layout(
        request,
        title,
        f"<div class='card'><p class='error' role='alert'>{escape(str(err))}</p>{link}</div>",
        person,
    )
    response.set_status(status_of(err))
    return response


async def _reviewer(request: web.Request) -> Person:
    return await signed_in(request)


async def drafts_page(request: web.Request) -> web.StreamResponse:
    """GET /drafts: the drafts waiting for review that the person may see."""
    person = await _reviewer(request)
    try:
        items = await run(request, request.app[CONTAINER].kb_drafts.list_drafts, person)
    except HelpdeskError as err:
        return await _error_page(request, "Szkice artykułów", err, person)
    notice = ""
    if request.query.get("odrzucono"):
        notice = (
            f"<p class='notice' role='status'>Odrzucono szkic {escape(request.query['odrzucono'][:200])}.</p>"
        )
    rows = "".join(
        f"<tr><td><a href='/drafts/{escape(d['id'])}'>{escape(d['title'])}</a><br>"
        f"<span class='muted'>{escape(d['id'])}</span></td><td>{escape(d['component'])}</td>"
        f"<td>{_ticket_link(d['ticket'])}</td><td>{escape(d['office'] or '—')}</td>"
        f"<td>{escape(d['drafted_by'] or '—')}</td><td>{_when(d['drafted_at'])}</td>"
        f"<td>{escape(d['updated_by'] or '—')}, {_when(d['updated_at'])}</td></tr>"
        for d in items
    )
    table = (
        "<table><thead><tr><th>Szkic</th><th>Komponent</th><th>Zgłoszenie</th><th>Urząd</th>"
        f"<th>Autor szkicu</th><th>Utworzono</th><th>Ostatnia zmiana</th></tr></thead><tbody>{rows}</tbody></table>"
        if items
        else "<p class='muted'>Brak szkiców do przejrzenia.</p>"
    )
    who = (
        "Opublikowany szkic od razu służy do odpowiedzi bota i jest widoczny pod swoim adresem."
        if person.role in DECIDE_ROLES
        else "Popraw szkice ze zgłoszeń swojego urzędu; opublikuje je koordynator."
    )
    body = (
        f"<div class='card'><h1>Szkice artykułów</h1>{notice}<p class='muted'>{who}</p>{table}"
        f"<p class='muted'>Razem: {len(items)}</p></div>"
    )
    proposals = await run(request, request.app[CONTAINER].kb_proposals.list, person)
    body += _proposals_html(person, proposals, request.query.get("propozycja", ""))
    return await layout(request, "Szkice artykułów", body, person)


def _proposals_html(person: Person, items: list[dict[str, Any]], decided: str) -> str:
    """The proposals learned from tickets, with accept / reject for those who decide."""
    notice = f"<p class='notice' role='status'>{escape(decided[:200])}</p>" if decided else ""
    decide = person.role in DECIDE_ROLES
    rows = []
    for p in items:
        buttons = (
            f"<form method='post' action='/proposals/{p['id']}/accept' class='inline'>"
            "<button type='submit'>Przyjmij</button></form> "
            f"<form method='post' action='/proposals/{p['id']}/reject' class='inline'>"
            "<button type='submit'>Odrzuć</button></form>"
            if decide
            else ""
        )
        origin = f"ze zgłoszenia {_ticket_link(p['ticket'])}" if p["ticket"] else "z oceny „Nie pomogło”"
        rows.append(
            f"<tr><td>„{escape(p['text'][:300])}”</td><td>{escape(p['kind_label'])}</td>"
            f"<td><a href='/kb/{escape(p['article_id'])}'>{escape(p['article_title'] or p['article_id'])}</a></td>"
            f"<td>{origin}<br>{escape(p['proposed_by'] or '—')}, {_when(p['proposed_at'])}</td><td>{buttons}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>Pytanie</th><th>Propozycja</th><th>Artykuł</th><th>Skąd</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p class='muted'>Brak propozycji czekających na decyzję.</p>"
    )
    return (
        f"<div class='card'><h2>Propozycje z pytań</h2>{notice}<p class='muted'>Pytania, na które bot nie "
        "odpowiedział, a lider wskazał artykuł (nowe sformułowanie), i odpowiedzi oznaczone „Nie pomogło” "
        f"(kontrprzykład). Przyjęte od razu biorą udział w odpowiedziach bota.</p>{table}</div>"
    )


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


def _ticket_link(ticket: str | None) -> str:
    return f"<a href='/tickets/{escape(ticket)}'>{escape(ticket)}</a>" if ticket else "—"


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


def _draft_html(
    person: Person,
    draft: dict[str, Any],
    values: dict[str, Any] | None = None,
    error: str = "",
    notice: str = "",
    publish_id: str | None = None,
) -> str:
    """The draft page: facts, the edit form, publish / discard for those who decide, preview, history."""
    v = {**draft, **(values or {})}
    aid = escape(draft["id"])
    options = "".join(
        f"<option value='{escape(c)}'{' selected' if c == v['component'] else ''}>"
        f"{escape(COMPONENT_LABELS_PL.get(c, c))}</option>"
        for c in COMPONENTS
    )
    if v["component"] not in COMPONENTS:
        options = (
            f"<option value='{escape(str(v['component']))}' selected>{escape(str(v['component']))}</option>"
            + options
        )
    message = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    message += f"<p class='notice' role='status'>{escape(notice)}</p>" if notice else ""
    decide = person.role in DECIDE_ROLES
    publish = (
        f" <button type='submit' formaction='/drafts/{aid}/publish'>Zapisz i opublikuj</button>"
        if decide
        else ""
    )
    address = ""
    if decide:
        suggested = str(draft.get("suggested_id") or "")
        address = (
            f"<label for='new_id'>Adres artykułu po publikacji: /kb/…</label>"
            f"<input id='new_id' name='id' class='wide' maxlength='{MAX_ID}' autocomplete='off' "
            f"spellcheck='false' value='{escape(publish_id if publish_id is not None else suggested)}'>"
            f"<input type='hidden' name='suggested_id' value='{escape(suggested)}'>"
            "<p class='muted'>Małe litery bez polskich znaków, cyfry i myślniki. Pozostawiony bez zmian "
            "powstanie z komponentu i tytułu, z jakim szkic zostanie opublikowany.</p>"
        )
    form = (
        f"<form method='post' action='/drafts/{aid}'>"
        f"<input type='hidden' name='version' value='{draft['version']}'>"
        f"<label for='title'>Tytuł</label><input id='title' name='title' class='wide' maxlength='{MAX_TITLE}' "
        f"value='{escape(str(v['title']))}' required>"
        f"<label for='component'>Komponent</label><select id='component' name='component'>{options}</select>"
        f"<label for='tags'>Tagi (oddzielone przecinkami)</label>"
        f"<input id='tags' name='tags' class='wide' value='{escape(', '.join(v['tags']))}'>"
        f"<label for='questions'>Pytania – sformułowania, jakich używają urzędnicy (jedno w linii)</label>"
        f"<textarea id='questions' name='questions' rows='5' class='wide'>{escape(chr(10).join(v['questions']))}"
        f"</textarea><label for='body'>Treść (Markdown)</label>"
        f"<textarea id='body' name='body' rows='14' class='wide'>{escape(str(v['body']))}</textarea>"
        f"{address}<p><button type='submit'>Zapisz szkic</button>{publish}</p></form>"
    )
    discard = ""
    if decide:
        discard = (
            f"<form method='post' action='/drafts/{aid}/discard'>"
            f"<input type='hidden' name='version' value='{draft['version']}'>"
            "<p class='muted'>Szkic nieprzydatny? Odrzucony szkic zostaje w historii, ale nigdy nie "
            "służy do odpowiedzi.</p><button type='submit' class='secondary'>Odrzuć szkic</button></form>"
        )
    else:
        form += "<p class='muted'>Opublikować lub odrzucić szkic może koordynator.</p>"
    history = "".join(
        f"<tr><td>{h['version']}</td><td>{escape(h['status'])}</td><td>{_when(h['at'])}</td>"
        f"<td>{escape(h['by'] or '—')}</td></tr>"
        for h in draft["history"]
    )
    return (
        f"<div class='card'><h1>Szkic: {escape(draft['title'])}</h1>{message}"
        f"<p class='muted'>{aid} · ze zgłoszenia {_ticket_link(draft['ticket'])} · urząd "
        f"{escape(draft['office'] or '—')} · szkic: {escape(draft['drafted_by'] or '—')}, "
        f"{_when(draft['drafted_at'])} · wersja {draft['version']}, ostatnia zmiana: "
        f"{escape(draft['updated_by'] or '—')}, {_when(draft['updated_at'])}</p>{form}{discard}</div>"
        f"<div class='card'><h2>Podgląd zapisanej wersji</h2><h3>{escape(draft['title'])}</h3>"
        f"<div class='article-body'>{markdown_html(draft['body'])}</div></div>"
        f"<div class='card'><h2>Historia</h2><table><thead><tr><th>Wersja</th><th>Stan</th><th>Kiedy</th>"
        f"<th>Kto</th></tr></thead><tbody>{history}</tbody></table>"
        "<p><a href='/drafts'>Wszystkie szkice</a></p></div>"
    )


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
    return await layout(
        request, f"Szkic: {draft['title']}", _draft_html(person, draft, notice=notice), person
    )


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
        response = await layout(
            request,
            f"Szkic: {draft['title']}",
            _draft_html(person, draft, values, error=str(err), publish_id=typed_id),
            person,
        )
        response.set_status(status_of(err))
        return response


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
