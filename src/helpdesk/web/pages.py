"""Server-rendered pages: login, each person's own view, a ticket, an article, the review of article
drafts. Polish first; everything shown is escaped. Forms post with the session cookie (SameSite=Lax),
as the ticket actions do.

A draft is published under the id in the form's "Adres artykułu" field, prefilled with the suggested
one (component and title); left as suggested, it follows the title as published. After publishing,
the draft's old addresses (`/kb/szkic-t-000042`, `/drafts/szkic-t-000042`) redirect permanently
(301) to the article's."""

from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from helpdesk.domain.errors import Forbidden, HelpdeskError, NotAuthenticated, TooManyRequests
from helpdesk.domain.kb.article import MAX_ID, MAX_TITLE
from helpdesk.domain.offices import COMPONENT_LABELS_PL, COMPONENTS
from helpdesk.domain.people import Person
from helpdesk.domain.roles import ROLE_LABELS_PL, Role
from helpdesk.domain.tickets import ACTION_LABELS_PL, Action
from helpdesk.services.kb.drafts import DECIDE_ROLES, REVIEW_ROLES, DraftPublished
from helpdesk.web import office_pages
from helpdesk.web.common import CONTAINER, SESSION_COOKIE, optional_person, run
from helpdesk.web.middlewares import status_of

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
header{background:#0b4f8a;color:#fff;padding:.8rem 1.5rem;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}main{max-width:1100px;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1rem 1.25rem;margin-bottom:1rem}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e3e7eb}
th{font-size:.85rem;color:#52606d}.badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-size:.8rem;background:#e3eefa}
.breached{background:#fde2e1;color:#9b1c1c}.met{background:#def7ec;color:#03543f}.running{background:#fdf6b2;color:#723b13}
form.inline{display:inline}button{background:#0b4f8a;color:#fff;border:0;border-radius:4px;padding:.4rem .8rem;cursor:pointer}
input,select,textarea{padding:.4rem;border:1px solid #cbd2d9;border-radius:4px;font:inherit}label{display:block;margin:.5rem 0 .2rem}
.error{color:#9b1c1c}.muted{color:#616e7c;font-size:.9rem}.notice{color:#03543f}
.wide{width:100%;box-sizing:border-box}button.secondary{background:#9b1c1c}
"""


def layout(title: str, body: str, person: Person | None = None) -> web.Response:
    """A full HTML page."""
    who = ""
    if person is not None:
        who = (
            f"<span>{escape(person.name)} · {escape(ROLE_LABELS_PL[person.role])}</span> "
            f"<form class='inline' method='post' action='/logout'><button>Wyloguj</button></form>"
        )
    html = (
        f"<!doctype html><html lang='pl'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{escape(title)} – Help-desk e-Urzędu</title>"
        f"<style>{CSS}</style></head><body><header><a href='/'><strong>Help-desk e-Urzędu</strong></a>{who}</header>"
        f"<main>{body}</main></body></html>"
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def login_form(request: web.Request, error: str = "") -> web.Response:
    """GET /login: the login form."""
    message = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    body = (
        f"<div class='card' style='max-width:420px;margin:3rem auto'><h1>Logowanie</h1>{message}"
        "<form method='post' action='/login'><label for='login'>Login</label>"
        "<input id='login' name='login' autocomplete='username' required>"
        "<label for='password'>Hasło</label>"
        "<input id='password' name='password' type='password' autocomplete='current-password' required>"
        "<p><button type='submit'>Zaloguj się</button></p></form>"
        "<p class='muted'>Nie masz konta? Skontaktuj się z liderem wdrożenia w swoim urzędzie.</p></div>"
    )
    return layout("Logowanie", body)


async def login_submit(request: web.Request) -> web.StreamResponse:
    """POST /login: check the password (throttled), start a new session (the old one ends), go to /."""
    form = await request.post()
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    container = request.app[CONTAINER]
    try:
        _person, session = await run(
            request,
            lambda: container.people.login(
                login,
                password,
                container.clock.now(),
                address=request.remote or "",
                old_session=request.cookies.get(SESSION_COOKIE),
            ),
        )
    except NotAuthenticated:
        response = await login_form(request, "Niepoprawny login lub hasło.")
        response.set_status(401)
        return response
    except TooManyRequests as err:
        response = await login_form(request, str(err))
        response.set_status(429)
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    response = web.HTTPSeeOther("/")
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="Lax", max_age=12 * 3600)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """POST /logout: end the session."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await run(request, request.app[CONTAINER].people.logout, session)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE)
    raise response


def _ticket_rows(items: list[dict[str, Any]]) -> str:
    if not items:
        return "<p class='muted'>Brak zgłoszeń.</p>"
    rows = "".join(
        f"<tr><td><a href='/tickets/{escape(t['id'])}'>{escape(t['id'])}</a></td><td>{escape(t['title'])}</td>"
        f"<td>{escape(t['office'])}</td><td><span class='badge'>{escape(t['state_label'])}</span></td>"
        f"<td>{escape(t['priority_label'])}</td><td>{escape((t['updated_at'] or '')[:16].replace('T', ' '))}</td></tr>"
        for t in items
    )
    return (
        "<table><thead><tr><th>Nr</th><th>Tytuł</th><th>Urząd</th><th>Stan</th><th>Priorytet</th>"
        f"<th>Zmiana</th></tr></thead><tbody>{rows}</tbody></table>"
    )


VIEW_TITLES = {
    Role.OFFICIAL: "Moje zgłoszenia",
    Role.LEADER: "Kolejka zgłoszeń urzędu",
    Role.REPRESENTATIVE: "Zgłoszenia urzędu",
    Role.AGENT: "Kolejka Wykonawcy",
    Role.COORDINATOR: "Wszystkie zgłoszenia",
    Role.AUDITOR: "Raporty SLA",
    Role.ADMIN: "Wszystkie zgłoszenia",
}


async def home(request: web.Request) -> web.StreamResponse:
    """GET /: the person's own view."""
    person = await optional_person(request)
    if person is None:
        raise web.HTTPSeeOther("/login")
    container = request.app[CONTAINER]
    filters: dict[str, str] = {}
    if person.role is Role.LEADER:
        filters = {"status": "new,in_progress,waiting,reopened,escalated,acknowledged,workaround,resolved"}
    page = await run(request, lambda: container.tickets.list(person, filters, 1, 100))
    body = f"<div class='card'><h1>{VIEW_TITLES[person.role]}</h1>{office_pages.home_links(person)}"
    if person.role in REVIEW_ROLES:
        drafts = await run(request, container.kb_drafts.count, person)
        body += f"<p><a href='/drafts'>Szkice artykułów</a> bazy wiedzy do przejrzenia: {drafts}</p>"
        proposals = await run(request, container.kb_proposals.count, person)
        if proposals:
            body += f"<p><a href='/drafts'>Propozycje z pytań</a> czekające na decyzję: {proposals}</p>"
    if person.role is Role.AUDITOR:
        body += (
            "<p>Raport SLA za wybrany okres — z podanym skrótem dziennika zdarzeń, z którego go policzono.</p>"
            "<form method='get' action='/api/v1/reports/sla'><label for='from'>Od</label>"
            "<input id='from' name='from' type='date' required><label for='to'>Do</label>"
            "<input id='to' name='to' type='date' required><label for='format'>Format</label>"
            "<select id='format' name='format'><option>html</option><option>csv</option>"
            "<option>xlsx</option><option>json</option></select> <button>Pokaż raport</button></form></div>"
            "<div class='card'><h2>Zgłoszenia</h2>"
        )
    body += _ticket_rows(page["items"]) + f"<p class='muted'>Razem: {page['total']}</p></div>"
    return layout(VIEW_TITLES[person.role], body, person)


async def ticket_page(request: web.Request) -> web.StreamResponse:
    """GET /tickets/{id}: details, history, SLA clocks and the actions the person may take."""
    person = await optional_person(request)
    if person is None:
        raise web.HTTPSeeOther("/login")
    container = request.app[CONTAINER]
    try:
        t = await run(request, container.tickets.get, person, request.match_info["id"])
    except HelpdeskError as err:
        return layout(
            "Zgłoszenie", f"<div class='card'><p class='error'>{escape(str(err))}</p></div>", person
        )
    events = "".join(
        f"<tr><td>{escape(e['at'][:16].replace('T', ' '))}</td><td>{escape(e['type'])}</td>"
        f"<td>{escape(str(e.get('actor') or ''))}</td><td>{escape(str(e.get('text') or ''))}</td></tr>"
        for e in t["events"]
    )
    sla = ""
    if t.get("sla"):
        rows = "".join(
            f"<tr><td>{escape(name)}</td><td>{m['elapsed_min']}</td><td>{m['target_min']}</td>"
            f"<td><span class='badge {escape(m['state'])}'>{escape(m['state'])}</span></td>"
            f"<td>{escape(str(m.get('due_at') or '—'))}</td></tr>"
            for name, m in t["sla"]["metrics"].items()
        )
        sla = (
            "<div class='card'><h2>Zegary SLA</h2><table><thead><tr><th>Zegar</th><th>Upłynęło (min)</th>"
            f"<th>Cel (min)</th><th>Stan</th><th>Termin</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p>Kary: {t['sla']['penalty_pln']} zł</p></div>"
        )
    actions = "".join(
        f"<form class='inline' method='post' action='/tickets/{escape(t['id'])}/act'>"
        f"<input type='hidden' name='action' value='{escape(a)}'><button>{escape(ACTION_LABELS_PL[Action(a)])}</button></form> "
        for a in t["allowed_actions"]
        if a not in ("comment", "reply", "escalate", "set_priority")
    )
    text_form = ""
    if "comment" in t["allowed_actions"] or "reply" in t["allowed_actions"]:
        options = "".join(
            f"<option value='{a}'>{ACTION_LABELS_PL[Action(a)]}</option>"
            for a in ("reply", "comment")
            if a in t["allowed_actions"]
        )
        text_form = (
            f"<form method='post' action='/tickets/{escape(t['id'])}/act'><label for='text'>Wiadomość</label>"
            f"<textarea id='text' name='text' rows='3' style='width:100%'></textarea>"
            f"<select name='action'>{options}</select> <button>Wyślij</button></form>"
        )
    body = (
        f"<div class='card'><h1>{escape(t['id'])}: {escape(t['title'])}</h1>"
        f"<p><span class='badge'>{escape(t['state_label'])}</span> · {escape(t['priority_label'])} · urząd {escape(t['office'])}"
        f" · {escape(t['component_label'] or 'komponent nieokreślony')}</p>{office_pages.ticket_line(t)}"
        f"<p>{escape(t['description'])}</p>"
        f"<p>{actions}</p>{text_form}</div>{sla}"
        f"<div class='card'><h2>Historia</h2><table><tbody>{events}</tbody></table></div>"
    )
    return layout(t["id"], body, person)


async def ticket_act(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{id}/act: a form action, then back to the ticket."""
    person = await optional_person(request)
    if person is None:
        raise web.HTTPSeeOther("/login")
    form = await request.post()
    container = request.app[CONTAINER]
    ticket_id = request.match_info["id"]
    try:
        await run(
            request,
            lambda: container.tickets.act(
                person, ticket_id, str(form.get("action", "")), text=str(form.get("text", "")) or None
            ),
        )
    except HelpdeskError as err:
        return layout(
            "Błąd",
            f"<div class='card'><p class='error'>{escape(str(err))}</p>"
            f"<p><a href='/tickets/{escape(ticket_id)}'>Wróć do zgłoszenia</a></p></div>",
            person,
        )
    raise web.HTTPSeeOther(f"/tickets/{ticket_id}")


async def article_page(request: web.Request) -> web.StreamResponse:
    """GET /kb/{id}: one knowledge-base article (public: links go out in bot messages and e-mails)."""
    container = request.app[CONTAINER]
    person = await optional_person(request)
    try:
        article = await run(request, container.kb.article, request.match_info["id"])
    except HelpdeskError as err:
        moved = await run(request, container.kb_drafts.published_as, request.match_info["id"])
        if moved is not None:  # a draft's address from before it was published under its final id
            raise web.HTTPMovedPermanently(f"/kb/{moved}") from err
        response = layout(
            "Artykuł", f"<div class='card'><p class='error'>{escape(str(err))}</p></div>", person
        )
        response.set_status(404)
        return response
    paragraphs = _paragraphs(article.body)
    body = (
        f"<article class='card'><h1>{escape(article.title)}</h1>"
        f"<p class='muted'>{escape(article.component)} · {escape(', '.join(article.tags))}</p>{paragraphs}"
        "<p class='muted'>Nie pomogło? Napisz do bota albo odpowiedz na e-mail z help-desku – "
        "sprawą zajmie się lider wdrożenia w Twoim urzędzie.</p></article>"
    )
    return layout(article.title, body, person)


def _paragraphs(body: str) -> str:
    """An article body as escaped paragraphs (blank lines part them, line ends kept)."""
    return "".join(
        f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in body.split("\n\n") if block.strip()
    )


# --- drafts of articles ---------------------------------------------------------------------


def _when(value: str | None) -> str:
    return escape((value or "")[:16].replace("T", " ")) or "—"


def _error_page(
    title: str, err: HelpdeskError, person: Person, back: str = "", published: str | None = None
) -> web.Response:
    link = f"<p><a href='{escape(back)}'>Wróć</a></p>" if back else ""
    if published:
        link = f"<p><a href='/kb/{escape(published)}'>Zobacz opublikowany artykuł</a></p>" + link
    response = layout(
        title, f"<div class='card'><p class='error' role='alert'>{escape(str(err))}</p>{link}</div>", person
    )
    response.set_status(status_of(err))
    return response


async def _reviewer(request: web.Request) -> Person:
    person = await optional_person(request)
    if person is None:
        raise web.HTTPSeeOther("/login")
    return person


async def drafts_page(request: web.Request) -> web.StreamResponse:
    """GET /drafts: the drafts waiting for review that the person may see."""
    person = await _reviewer(request)
    try:
        items = await run(request, request.app[CONTAINER].kb_drafts.list_drafts, person)
    except HelpdeskError as err:
        return _error_page("Szkice artykułów", err, person)
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
    return layout("Szkice artykułów", body, person)


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
        return _error_page("Propozycje z pytań", err, person, "/drafts")
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
        f"{_paragraphs(draft['body'])}</div>"
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
        return _error_page("Szkic artykułu", err, person, "/drafts")
    notice = "Zapisano zmiany szkicu." if request.query.get("zapisano") else ""
    return layout(f"Szkic: {draft['title']}", _draft_html(person, draft, notice=notice), person)


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
            return _error_page("Szkic artykułu", err, person, "/drafts")
        try:  # show the form again with what the person typed, so no edit is lost
            draft = await run(request, service.get, person, article_id)
        except DraftPublished as moved:
            return _error_page("Szkic artykułu", err, person, "/drafts", published=moved.article_id)
        except HelpdeskError:
            return _error_page("Szkic artykułu", err, person, "/drafts")
        typed_id = str(form.get("id", "")).strip() if decision == "publish" and "id" in form else None
        response = layout(
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
    """Register the page routes."""
    app.router.add_get("/kb/{id}", article_page)
    app.router.add_get("/drafts", drafts_page)
    app.router.add_get("/drafts/{id}", draft_page)
    app.router.add_post("/drafts/{id}", draft_save)
    app.router.add_post("/drafts/{id}/publish", draft_publish)
    app.router.add_post("/drafts/{id}/discard", draft_discard)
    app.router.add_post("/proposals/{id}/accept", proposal_accept)
    app.router.add_post("/proposals/{id}/reject", proposal_reject)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", home)
    app.router.add_get("/tickets/{id}", ticket_page)
    office_pages.setup(app)  # the rollout's pages: offices, schedule, trainings, domain systems
    app.router.add_post("/tickets/{id}/act", ticket_act)
