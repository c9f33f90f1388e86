"""Server-rendered pages: login, each person's own view, a ticket, an article. Polish first."""

from html import escape
from typing import Any

from aiohttp import web

from helpdesk.domain.errors import HelpdeskError, NotAuthenticated
from helpdesk.domain.people import Person
from helpdesk.domain.roles import ROLE_LABELS_PL, Role
from helpdesk.domain.tickets import ACTION_LABELS_PL, Action
from helpdesk.web.common import CONTAINER, SESSION_COOKIE, optional_person, run

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
.error{color:#9b1c1c}.muted{color:#616e7c;font-size:.9rem}
"""


def layout(title: str, body: str, person: Person | None = None) -> web.Response:
    """A full HTML page."""
    who = ""
    if person is not None:
        who = (f"<span>{escape(person.name)} · {escape(ROLE_LABELS_PL[person.role])}</span> "
               f"<form class='inline' method='post' action='/logout'><button>Wyloguj</button></form>")
    html = (f"<!doctype html><html lang='pl'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{escape(title)} – Help-desk e-Urzędu</title>"
            f"<style>{CSS}</style></head><body><header><a href='/'><strong>Help-desk e-Urzędu</strong></a>{who}</header>"
            f"<main>{body}</main></body></html>")
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def login_form(request: web.Request, error: str = "") -> web.Response:
    """GET /login: the login form."""
    message = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    body = (f"<div class='card' style='max-width:420px;margin:3rem auto'><h1>Logowanie</h1>{message}"
            "<form method='post' action='/login'><label for='login'>Login</label>"
            "<input id='login' name='login' autocomplete='username' required>"
            "<label for='password'>Hasło</label>"
            "<input id='password' name='password' type='password' autocomplete='current-password' required>"
            "<p><button type='submit'>Zaloguj się</button></p></form>"
            "<p class='muted'>Nie masz konta? Skontaktuj się z liderem wdrożenia w swoim urzędzie.</p></div>")
    return layout("Logowanie", body)


async def login_submit(request: web.Request) -> web.StreamResponse:
    """POST /login: check the password, set the session cookie, go to /."""
    form = await request.post()
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    container = request.app[CONTAINER]
    try:
        _person, session = await run(request, container.people.login, login, password, container.clock.now())
    except NotAuthenticated:
        response = await login_form(request, "Niepoprawny login lub hasło.")
        response.set_status(401)
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
        for t in items)
    return ("<table><thead><tr><th>Nr</th><th>Tytuł</th><th>Urząd</th><th>Stan</th><th>Priorytet</th>"
            f"<th>Zmiana</th></tr></thead><tbody>{rows}</tbody></table>")


VIEW_TITLES = {
    Role.OFFICIAL: "Moje zgłoszenia", Role.LEADER: "Kolejka zgłoszeń urzędu",
    Role.REPRESENTATIVE: "Zgłoszenia urzędu", Role.AGENT: "Kolejka Wykonawcy",
    Role.COORDINATOR: "Wszystkie zgłoszenia", Role.AUDITOR: "Raporty SLA", Role.ADMIN: "Wszystkie zgłoszenia",
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
    body = f"<div class='card'><h1>{VIEW_TITLES[person.role]}</h1>"
    if person.role is Role.AUDITOR:
        body += ("<p>Raport SLA za wybrany okres — z podanym skrótem dziennika zdarzeń, z którego go policzono.</p>"
                 "<form method='get' action='/api/v1/reports/sla'><label for='from'>Od</label>"
                 "<input id='from' name='from' type='date' required><label for='to'>Do</label>"
                 "<input id='to' name='to' type='date' required><label for='format'>Format</label>"
                 "<select id='format' name='format'><option>html</option><option>csv</option>"
                 "<option>xlsx</option><option>json</option></select> <button>Pokaż raport</button></form></div>"
                 "<div class='card'><h2>Zgłoszenia</h2>")
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
        return layout("Zgłoszenie", f"<div class='card'><p class='error'>{escape(str(err))}</p></div>", person)
    events = "".join(f"<tr><td>{escape(e['at'][:16].replace('T', ' '))}</td><td>{escape(e['type'])}</td>"
                     f"<td>{escape(str(e.get('actor') or ''))}</td><td>{escape(str(e.get('text') or ''))}</td></tr>"
                     for e in t["events"])
    sla = ""
    if t.get("sla"):
        rows = "".join(f"<tr><td>{escape(name)}</td><td>{m['elapsed_min']}</td><td>{m['target_min']}</td>"
                       f"<td><span class='badge {escape(m['state'])}'>{escape(m['state'])}</span></td>"
                       f"<td>{escape(str(m.get('due_at') or '—'))}</td></tr>" for name, m in t["sla"]["metrics"].items())
        sla = ("<div class='card'><h2>Zegary SLA</h2><table><thead><tr><th>Zegar</th><th>Upłynęło (min)</th>"
               f"<th>Cel (min)</th><th>Stan</th><th>Termin</th></tr></thead><tbody>{rows}</tbody></table>"
               f"<p>Kary: {t['sla']['penalty_pln']} zł</p></div>")
    actions = "".join(
        f"<form class='inline' method='post' action='/tickets/{escape(t['id'])}/act'>"
        f"<input type='hidden' name='action' value='{escape(a)}'><button>{escape(ACTION_LABELS_PL[Action(a)])}</button></form> "
        for a in t["allowed_actions"] if a not in ("comment", "reply", "escalate", "set_priority"))
    text_form = ""
    if "comment" in t["allowed_actions"] or "reply" in t["allowed_actions"]:
        options = "".join(f"<option value='{a}'>{ACTION_LABELS_PL[Action(a)]}</option>"
                          for a in ("reply", "comment") if a in t["allowed_actions"])
        text_form = (f"<form method='post' action='/tickets/{escape(t['id'])}/act'><label for='text'>Wiadomość</label>"
                     f"<textarea id='text' name='text' rows='3' style='width:100%'></textarea>"
                     f"<select name='action'>{options}</select> <button>Wyślij</button></form>")
    body = (f"<div class='card'><h1>{escape(t['id'])}: {escape(t['title'])}</h1>"
            f"<p><span class='badge'>{escape(t['state_label'])}</span> · {escape(t['priority_label'])} · urząd {escape(t['office'])}"
            f" · {escape(t['component_label'] or 'komponent nieokreślony')}</p><p>{escape(t['description'])}</p>"
            f"<p>{actions}</p>{text_form}</div>{sla}"
            f"<div class='card'><h2>Historia</h2><table><tbody>{events}</tbody></table></div>")
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
        await run(request, lambda: container.tickets.act(person, ticket_id, str(form.get("action", "")),
                                                         text=str(form.get("text", "")) or None))
    except HelpdeskError as err:
        return layout("Błąd", f"<div class='card'><p class='error'>{escape(str(err))}</p>"
                              f"<p><a href='/tickets/{escape(ticket_id)}'>Wróć do zgłoszenia</a></p></div>", person)
    raise web.HTTPSeeOther(f"/tickets/{ticket_id}")


async def article_page(request: web.Request) -> web.StreamResponse:
    """GET /kb/{id}: one knowledge-base article (public: links go out in bot messages and e-mails)."""
    container = request.app[CONTAINER]
    person = await optional_person(request)
    try:
        article = await run(request, container.kb.article, request.match_info["id"])
    except HelpdeskError as err:
        response = layout("Artykuł", f"<div class='card'><p class='error'>{escape(str(err))}</p></div>", person)
        response.set_status(404)
        return response
    paragraphs = "".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>"
                         for block in article.body.split("\n\n") if block.strip())
    body = (f"<article class='card'><h1>{escape(article.title)}</h1>"
            f"<p class='muted'>{escape(article.component)} · {escape(', '.join(article.tags))}</p>{paragraphs}"
            "<p class='muted'>Nie pomogło? Napisz do bota albo odpowiedz na e-mail z help-desku – "
            "sprawą zajmie się lider wdrożenia w Twoim urzędzie.</p></article>")
    return layout(article.title, body, person)


def setup(app: web.Application) -> None:
    """Register the page routes."""
    app.router.add_get("/kb/{id}", article_page)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", home)
    app.router.add_get("/tickets/{id}", ticket_page)
    app.router.add_post("/tickets/{id}/act", ticket_act)
