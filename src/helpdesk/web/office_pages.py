"""Pages of the rollout: the offices registry, one office's profile (with the forms its representative
and the coordinators use), the regional 12-month schedule, trainings and coverage, domain systems.

Everything shown is escaped. Forms post with the session cookie (SameSite=Lax), as the ticket
actions do; each form asks the rollout service, which decides who may change what, and comes back
to the page with what changed or the Polish reason why not. The page frame is this module's own
(`frame`), so the pages do not depend on how web/pages.py renders its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup

from helpdesk.domain import rollout as ro
from helpdesk.domain.calendar import days_in_words
from helpdesk.domain.errors import HelpdeskError, NotAuthenticated
from helpdesk.domain.people import Person
from helpdesk.services.texts import DATE_FORMAT_PL
from helpdesk.web.common import CONTAINER, optional_person, run
from helpdesk.web.pages.render import local_time, render, with_form_tokens

NAV = (
    ("/offices", "Urzędy"),
    ("/rollout/offices", "Gotowość urzędów"),
    ("/rollout", "Harmonogram"),
    ("/trainings", "Szkolenia"),
    ("/systems", "Systemy dziedzinowe"),
)


async def frame(request: web.Request, title: str, body: str, person: Person) -> web.Response:
    """A full HTML page of the rollout in the site's layout, its forms carrying the form token."""
    nav = " · ".join(f"<a href='{href}'>{label}</a>" for href, label in NAV)
    html = with_form_tokens(f"<nav class='subnav' aria-label='Wdrożenie'>{nav}</nav>{body}", request)
    return await render(request, "base.html", {"title": title, "body": Markup(html)}, person=person)


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _day(value: Any) -> str:
    """An ISO date (a milestone's, a training's) as people read it: 04.02.2026; — for none."""
    return local_time(str(value), DATE_FORMAT_PL) if value else "—"


def _badge(status: str, label: str) -> str:
    return f"<span class='badge {_e(status)}'>{_e(label)}</span>"


Page = Callable[[web.Request, Person], Awaitable[web.StreamResponse]]


def page(fn: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Sign-in required; a refusal or bad input is shown on the page, never as a traceback."""

    async def handler(request: web.Request) -> web.StreamResponse:
        person = await optional_person(request)
        if person is None:
            raise web.HTTPSeeOther("/login")
        try:
            return await fn(request, person)
        except NotAuthenticated as err:
            raise web.HTTPSeeOther("/login") from err
        except HelpdeskError as err:
            back = request.path if request.method == "GET" else request.headers.get("Referer", "/offices")
            body = (
                f"<div class='card'><p class='error' role='alert'>{_e(err)}</p>"
                f"<p><a href='{_e(back if back.startswith('/') else '/offices')}'>Wróć</a></p></div>"
            )
            return await frame(request, "Błąd", body, person)

    return handler


# --- the registry and one office ----------------------------------------------------------------
@page
async def offices_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /rollout/offices: every office, its stage, what its profile lacks."""
    data = await run(request, request.app[CONTAINER].rollout.offices, person)
    rows = "".join(
        f"<tr><td><a href='/offices/{_e(o['code'])}'>{_e(o['name'])}</a><br><span class='muted'>{_e(o['code'])}</span></td>"
        f"<td>{_e(o['type'])}</td><td>{_e(o['employees'])}</td><td>{_e(o['stage_label'])}"
        f"{' ' + _badge('late', 'opóźnienie') if o['late'] else ''}</td>"
        f"<td>{'<span class=notice>kompletny</span>' if o['complete'] else _e('; '.join(o['missing']))}</td></tr>"
        for o in data["items"]
    )
    body = (
        "<div class='card'><h1>Urzędy partnerskie</h1><table><thead><tr><th>Urząd</th><th>Typ</th>"
        f"<th>Pracownicy</th><th>Etap wdrożenia</th><th>Czego brakuje</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return await frame(request, "Urzędy", body, person)


def _options(values: Mapping[str, str], chosen: str | None, empty: bool = True) -> str:
    out = "<option value=''>—</option>" if empty else ""
    for value, label in values.items():
        selected = " selected" if value == chosen else ""
        out += f"<option value='{_e(value)}'{selected}>{_e(label)}</option>"
    return out


def _milestones_html(o: Mapping[str, Any], can: Mapping[str, bool]) -> str:
    code = o["code"]
    rows = ""
    for m in o["milestones"]:
        waits = "".join(
            f"<div class='muted'>czeka na urząd od {_e(w['start'])}"
            f"{' do ' + _e(w['end']) if w['end'] else ' (trwa)'}: {_e(w['reason_label'])} ({w['days']} dni)"
            f"{' — ' + _e(w['note']) if w['note'] else ''}</div>"
            for w in m["waits"]
        )
        action = f"/offices/{_e(code)}/milestones/{quote(m['kind'], safe='')}"
        forms = ""
        if can.get("plan"):
            forms += (
                f"<form method='post' action='{action}'><input type='date' name='planned' value='{_e(m['planned'])}' "
                f"aria-label='planowany'> <input type='date' name='done' value='{_e(m['done'])}' aria-label='wykonany'> "
                "<button>Zapisz daty</button></form>"
            )
            if m["status"] != "done" and not any(w["end"] is None for w in m["waits"]):
                forms += (
                    f"<form method='post' action='{action}/wait'><select name='reason' aria-label='powód'>"
                    f"{_options(ro.WAIT_REASON_LABELS_PL, None, empty=False)}</select> "
                    "<input name='note' placeholder='czego brakuje' aria-label='uwagi'> "
                    "<button>Czeka na urząd</button></form>"
                )
        if (can.get("office_side") or can.get("plan")) and any(w["end"] is None for w in m["waits"]):
            forms += (
                f"<form method='post' action='{action}/wait-end'><button>Urząd dostarczył — koniec oczekiwania"
                "</button></form>"
            )
        if can.get("office_side"):
            forms += (
                f"<form method='post' action='{action}'><input name='office_note' value='{_e(m['office_note'])}' "
                "placeholder='uwagi urzędu' aria-label='uwagi urzędu'> <button>Zapisz uwagi</button></form>"
            )
        split = ""
        if m["delay_days"]:
            split = (
                f"{m['delay_days']} dni: urząd {m['office_days']}, Wykonawca {m['contractor_days']}"
                f"<br><span class='muted'>{_e(m['attributed_label'])}</span>"
            )
        rows += (
            f"<tr><td>{_e(m['label'])}{waits}"
            f"{'<div class=muted>uwagi urzędu: ' + _e(m['office_note']) + '</div>' if m['office_note'] else ''}</td>"
            f"<td>{_e(_day(m['planned']))}</td><td>{_e(_day(m['done']))}</td>"
            f"<td>{_badge(m['status'], m['status_label'])}<br><span class='muted'>{_e(m['who_waits'] or '')}</span></td>"
            f"<td>{split}</td><td>{forms}</td></tr>"
        )
    add = ""
    if can.get("plan"):
        kinds = {k.value: ro.MILESTONE_LABELS_PL[k] for k in ro.MilestoneKind}
        kinds.update({f"{ro.SYSTEM_PREFIX}{s['id']}": f"system {s['name']}" for s in o["scope"]["systems"]})
        add = (
            f"<form method='post' action='/offices/{_e(code)}/milestones'><label>Dodaj lub zmień kamień milowy</label>"
            f"<select name='kind'>{_options(kinds, None, empty=False)}</select> "
            "<input type='date' name='planned' aria-label='planowany' required> <button>Zaplanuj</button></form>"
        )
    return (
        "<div class='card'><h2>Plan wdrożenia</h2><table><thead><tr><th>Kamień milowy</th><th>Planowany</th>"
        f"<th>Wykonany</th><th>Status</th><th>Opóźnienie</th><th></th></tr></thead><tbody>{rows}</tbody></table>{add}</div>"
    )


def _profile_form(o: Mapping[str, Any]) -> str:
    needs = {n["code"] for n in o["needs"]}
    boxes = "".join(
        f"<label><input type='checkbox' name='needs' value='{_e(k)}'{' checked' if k in needs else ''}> {_e(v)}</label>"
        for k, v in ro.NEEDS_PL.items()
    )
    return (
        f"<form method='post' action='/offices/{_e(o['code'])}/profile'>"
        "<label for='computerisation'>Stan informatyzacji</label>"
        f"<select id='computerisation' name='computerisation'>{_options(ro.COMPUTERISATION_LABELS_PL, o['computerisation'])}</select>"
        "<label for='previous_system'>Dotychczasowy system</label>"
        f"<input id='previous_system' name='previous_system' value='{_e(o['previous_system'])}'>"
        "<label for='workstations'>Stanowiska komputerowe</label>"
        f"<input id='workstations' name='workstations' inputmode='numeric' value='{_e(o['workstations'])}'>"
        f"<fieldset><legend>Potrzeby</legend>{boxes}</fieldset>"
        "<label for='notes'>Uwagi</label>"
        f"<textarea id='notes' name='notes' rows='3' class='wide'>{_e(o['notes'])}</textarea>"
        "<p><button>Zapisz profil</button></p></form>"
    )


def _people_html(o: Mapping[str, Any], can_edit: bool) -> str:
    people = o["people"]
    everyone = (
        [people["representative"], *people["leaders"]] if people["representative"] else people["leaders"]
    )
    choices = {p["login"]: p["name"] for p in everyone}
    rows = ""
    for role, p in [("przedstawiciel", people["representative"])] + [("lider", p) for p in people["leaders"]]:
        if p is None:
            continue
        standin = p["standin"]["name"] if p["standin"] else "—"
        form = ""
        if can_edit:
            others = {k: v for k, v in choices.items() if k != p["login"]}
            form = (
                f"<form class='inline' method='post' action='/offices/{_e(o['code'])}/standins/{_e(p['login'])}'>"
                f"<select name='standin' aria-label='zastępca'>{_options(others, p['standin']['login'] if p['standin'] else None)}"
                "</select> <button>Ustaw zastępcę</button></form>"
            )
        rows += (
            f"<tr><td>{_e(role)}</td><td>{_e(p['name'])} <span class='muted'>{_e(p['login'])}</span></td>"
            f"<td>{_e(p['email'] or '')}</td><td>{_e(standin)} {form}</td></tr>"
        )
    return (
        "<div class='card'><h2>Osoby</h2><table><thead><tr><th>Rola</th><th>Osoba</th><th>E-mail</th>"
        f"<th>Zastępca</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p class='muted'>Urzędników w help-desku: {people['others']}</p></div>"
    )


def _training_html(o: Mapping[str, Any]) -> str:
    t = o["training"]
    head = "".join(f"<th>{_e(c)}</th>" for c in t["components"])
    rows = "".join(
        f"<tr><td>{_e(leader['name'])}</td>"
        + "".join(
            f"<td>{_badge('done', _day(leader['trained'][c])) if leader['trained'][c] else _badge('late', 'brak')}</td>"
            for c in t["components"]
        )
        + "</tr>"
        for leader in t["leaders"]
    )
    back = o["knowledge_back"]
    resolved = ", ".join(f"{_e(k)}: {v}" for k, v in back["resolved_by_leaders"].items()) or "—"
    return (
        "<div class='card'><h2>Szkolenia liderów</h2><p class='muted'>Lider jest przeszkolony z komponentu po module "
        "e-learningowym i instruktażu stanowiskowym (data: ukończenie ostatniego z nich).</p>"
        f"<table><thead><tr><th>Lider</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<p>Prezentację dla użytkowników widziało {t['officials_presented']} z {t['officials']} urzędników w help-desku.</p>"
        f"<h3>Wiedza wracająca z urzędu</h3><p>Artykuły bazy wiedzy ze zgłoszeń urzędu: {back['articles_learned']} · "
        f"zgłoszenia rozwiązane przez liderów: {resolved}</p></div>"
    )


@page
async def office_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /offices/{code}: the office's profile, people, plan and training, with its forms."""
    o = await run(request, request.app[CONTAINER].rollout.office, person, request.match_info["code"])
    can = o["can_edit"]
    notice = request.query.get("zapisano")
    missing = (
        "<p class='notice'>Profil kompletny.</p>"
        if o["complete"]
        else "<p class='error'>Brakuje:</p><ul>"
        + "".join(f"<li>{_e(m)}</li>" for m in o["missing"])
        + "</ul>"
    )
    calendar = o["calendar"] or {}
    systems = (
        ", ".join(f"{_e(s['name'])} (wsparcie: {_e(s['supporter'])})" for s in o["scope"]["systems"]) or "—"
    )
    needs = ", ".join(_e(n["label"]) for n in o["needs"]) or "—"
    summary = (
        f"<div class='card'><h1>{_e(o['name'])}</h1>"
        f"{'<p class=notice role=status>Zapisano.</p>' if notice else ''}"
        f"<p>{_e(o['type_label'])} · kod TERYT {_e(o['code'])} · {_e(o['employees'])} pracowników · "
        f"etap: <strong>{_e(o['stage_label'])}</strong></p>"
        f"<p>Zakres: {_e(', '.join(c['label'] for c in o['scope']['core']))}</p><p>Systemy dziedzinowe: {systems}</p>"
        f"<p>Stan informatyzacji: {_e(o['computerisation_label'] or 'nie opisano')} · dotychczasowy system: "
        f"{_e(o['previous_system'] or '—')} · stanowiska: {_e(o['workstations'] or '—')}</p><p>Potrzeby: {needs}</p>"
        f"{'<p>Uwagi: ' + _e(o['notes']) + '</p>' if o['notes'] else ''}"
        f"<p>Kalendarz urzędu: {_e(days_in_words(calendar.get('days') or []))} {_e('–'.join(calendar.get('hours') or []))}"
        f" · <a href='/offices/{_e(o['code'])}/calendar'>kalendarz i cele pierwszej linii</a></p>"
        f"{missing}{_profile_form(o) if can.get('profile') else ''}</div>"
    )
    body = summary + _people_html(o, bool(can.get("people"))) + _milestones_html(o, can) + _training_html(o)
    return await frame(request, o["name"], body, person)


def _back(code: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/offices/{quote(code, safe='')}?zapisano=1")


@page
async def office_profile_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/profile: the profile form."""
    form = await request.post()
    code = request.match_info["code"]
    data: dict[str, Any] = {
        "computerisation": str(form.get("computerisation", "")) or None,
        "previous_system": str(form.get("previous_system", "")),
        "workstations": str(form.get("workstations", "")).strip() or None,
        "needs": [str(v) for v in form.getall("needs", [])],
        "notes": str(form.get("notes", "")),
    }
    await run(request, request.app[CONTAINER].rollout.update_profile, person, code, data)
    raise _back(code)


@page
async def standin_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/standins/{login}: name a stand-in."""
    form = await request.post()
    code, login = request.match_info["code"], request.match_info["login"]
    standin = str(form.get("standin", "")) or None
    await run(request, request.app[CONTAINER].rollout.set_standin, person, code, login, standin)
    raise _back(code)


def _milestone_form(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("planned", "done"):
        if key in form:
            data[key] = str(form[key]) or None
    if "office_note" in form:
        data["office_note"] = str(form["office_note"])
    return data


@page
async def milestone_add_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones: plan a milestone chosen from the list."""
    form = await request.post()
    code = request.match_info["code"]
    data = {"planned": str(form.get("planned", "")) or None}
    await run(
        request, request.app[CONTAINER].rollout.set_milestone, person, code, str(form.get("kind", "")), data
    )
    raise _back(code)


@page
async def milestone_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones/{kind}: dates (coordinators) or the office's note."""
    form = await request.post()
    code, kind = request.match_info["code"], request.match_info["kind"]
    await run(
        request, request.app[CONTAINER].rollout.set_milestone, person, code, kind, _milestone_form(form)
    )
    raise _back(code)


@page
async def wait_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones/{kind}/wait: the milestone waits on the office from today."""
    form = await request.post()
    code, kind = request.match_info["code"], request.match_info["kind"]
    data = {"reason": str(form.get("reason", "")), "note": str(form.get("note", ""))}
    await run(request, request.app[CONTAINER].rollout.start_wait, person, code, kind, data)
    raise _back(code)


@page
async def wait_end_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones/{kind}/wait-end: the office delivered today."""
    code, kind = request.match_info["code"], request.match_info["kind"]
    await run(request, request.app[CONTAINER].rollout.end_wait, person, code, kind, {})
    raise _back(code)


# --- the region ---------------------------------------------------------------------------------
SHORT_PL: dict[str, str] = {
    ro.MilestoneKind.READINESS: "gotowość",
    ro.MilestoneKind.LEADERS_TRAINED: "liderzy",
    ro.MilestoneKind.PRESENTATION: "prezentacja",
    ro.MilestoneKind.ESB_CONNECTED: "ESB",
    ro.MilestoneKind.EZD_PRODUCTION: "EZD produkcja",
}


def _short(kind: str) -> str:
    """A milestone's name short enough for a month's cell."""
    if kind.startswith(ro.SYSTEM_PREFIX):
        return "system " + kind[len(ro.SYSTEM_PREFIX) :]
    return SHORT_PL.get(kind, kind)


@page
async def rollout_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /rollout: the 12-month schedule across the region, late offices and why."""
    plan = await run(request, request.app[CONTAINER].rollout.rollout, person)
    months = plan["months"]
    head = "".join(f"<th class='m'>{_e(m)}</th>" for m in months)
    rows = ""
    for o in plan["offices"]:
        status = {ms["kind"]: ms["status"] for ms in o["milestones"]}
        cells = "".join(
            "<td class='m'>"
            + "<br>".join(
                _badge(status.get(k, ""), ("✓ " if status.get(k) == "done" else "") + _short(k))
                for k in o["by_month"].get(m, [])
            )
            + "</td>"
            for m in months
        )
        why = "<br>".join(_e(w) for w in o["why"])
        late = _badge("late", f"opóźniony ({o['late_by_label']})") if o["late"] else ""
        rows += (
            f"<tr><td><a href='/offices/{_e(o['code'])}'>{_e(o['name'])}</a> {late}<br>"
            f"<span class='muted'>{_e(o['stage_label'])}</span></td>{cells}"
            f"<td>urząd {o['office_days']} · Wykonawca {o['contractor_days']}</td><td class='muted'>{why}</td></tr>"
        )
    t = plan["totals"]
    body = (
        "<div class='card'><h1>Harmonogram wdrożenia w regionie</h1>"
        f"<p>Stan na {_e(_day(plan['as_of']))}: urzędów {t['offices']}, z planem {t['planned']}, EZD w produkcji "
        f"{t['in_production']}, opóźnionych {t['late']} (z winy urzędu {t['late_due_to_office']}, z udziałem "
        f"Wykonawcy {t['late_due_to_contractor']}), czeka na urząd teraz: {t['waiting_on_office']}. Dni opóźnienia: "
        f"urzędy {t['office_days']}, Wykonawca {t['contractor_days']}.</p>"
        "<p><a href='/api/v1/rollout?format=csv'>Pobierz CSV</a> · <a href='/api/v1/rollout?format=xlsx'>Pobierz XLSX</a></p>"
        f"<div class='table-wrap'><table><thead><tr><th>Urząd</th>{head}<th>Opóźnienie (dni)</th>"
        f"<th>Kto na kogo czeka</th></tr></thead><tbody>{rows}</tbody></table></div>"
        "<p class='muted'>W miesiącach: kamienie milowe według daty wykonania (✓) albo planowanej; "
        "opóźnienie dzielone jak zegary SLA: dni, w których Wykonawca czekał na urząd, idą na konto urzędu.</p></div>"
    )
    return await frame(request, "Harmonogram", body, person)


@page
async def trainings_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /trainings: trainings, coverage per office and component, the attendance import form."""
    container = request.app[CONTAINER]
    trainings = await run(request, container.rollout.trainings, person)
    coverage = await run(request, container.rollout.coverage, person)
    rows = "".join(
        f"<tr><td>{_e(t['id'])}</td><td>{_e(t['title'])}</td><td>{_e(t['kind_label'])}</td><td>{_e(t['component'])}</td>"
        f"<td>{_e(_day(t['held_on']))}</td><td>{t['participants']}</td></tr>"
        for t in trainings["items"]
    )
    comps = coverage["components"]
    cov_rows = ""
    for o in coverage["items"]:
        cells = ""
        for c in comps:
            cell = o["components"].get(c)
            if cell is None:
                cells += "<td class='muted'>—</td>"
            else:
                status = "done" if cell["leaders"] and cell["trained"] == cell["leaders"] else "late"
                cells += f"<td>{_badge(status, str(cell['trained']) + '/' + str(cell['leaders']))}</td>"
        cov_rows += (
            f"<tr><td><a href='/offices/{_e(o['office'])}'>{_e(o['name'])}</a></td>{cells}"
            f"<td>{o['officials_presented']}/{o['officials']}</td><td>{o['articles_learned']}</td>"
            f"<td>{o['resolved_by_leaders']}</td></tr>"
        )
    result = request.query.get("wynik", "")
    import_form = ""
    if ro.can_edit(person, ro.Part.TRAINING):
        import_form = (
            "<div class='card'><h2>Import listy obecności</h2><form method='post' action='/trainings/attendance'>"
            "<label for='csv'>CSV z nagłówkiem training,login (opcjonalnie completed_on)</label>"
            "<textarea id='csv' name='csv' rows='6' class='wide'></textarea><p><button>Importuj</button></p></form>"
            f"{'<p class=notice role=status>' + _e(result) + '</p>' if result else ''}</div>"
        )
    body = (
        f"{import_form}<div class='card'><h1>Pokrycie szkoleniami</h1><p class='muted'>Przeszkoleni liderzy / liderzy "
        "per komponent; prezentacja: urzędnicy, którzy ją widzieli; wiedza wracająca: artykuły ze zgłoszeń urzędu "
        "i zgłoszenia rozwiązane przez liderów.</p>"
        "<div class='table-wrap'><table><thead><tr><th>Urząd</th>"
        + "".join(f"<th>{_e(c)}</th>" for c in comps)
        + "<th>Prezentacja</th><th>Artykuły</th><th>Rozwiązane</th></tr></thead>"
        f"<tbody>{cov_rows}</tbody></table></div></div>"
        "<div class='card'><h2>Szkolenia</h2><table><thead><tr><th>Id</th><th>Tytuł</th><th>Rodzaj</th><th>Komponent</th>"
        f"<th>Data</th><th>Uczestnicy</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return await frame(request, "Szkolenia", body, person)


@page
async def attendance_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /trainings/attendance: import an attendance list pasted as CSV."""
    form = await request.post()
    result = await run(
        request, request.app[CONTAINER].rollout.import_attendance, person, str(form.get("csv", ""))
    )
    trained = "; ".join(
        f"{t['login']} przeszkolony z {t['component']} ({t['on']})" for t in result["trained_now"]
    )
    text = f"Dodano {result['added']}, już zapisanych {result['already']}." + (
        f" {trained}." if trained else ""
    )
    raise web.HTTPSeeOther("/trainings?" + "wynik=" + quote(text))


@page
async def systems_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /systems: the domain systems, who supports them under which contract, their tickets."""
    container = request.app[CONTAINER]
    systems = await run(request, container.rollout.systems, person)
    rows = ""
    for s in systems["items"]:
        tickets = await run(
            request, lambda sid=s["id"]: container.tickets.list(person, {"system": sid}, 1, 20)
        )
        links = (
            ", ".join(f"<a href='/tickets/{_e(t['id'])}'>{_e(t['id'])}</a>" for t in tickets["items"]) or "—"
        )
        n = s["tickets"]
        rows += (
            f"<tr><td><strong>{_e(s['name'])}</strong><br><span class='muted'>{_e(s['id'])}</span></td>"
            f"<td>{_e(s['supplier'])}</td><td>{_e(s['supporter'])}<br><span class='muted'>"
            f"{_e(s['contract'] or 'bez umowy w help-desku')}</span></td><td>{_e(', '.join(s['offices']))}</td>"
            f"<td>{_e(', '.join(s['bus_services']))}</td><td>{n['open']} otwartych / {n['total']}<br>{links}</td></tr>"
        )
    body = (
        "<div class='card'><h1>Systemy dziedzinowe partnerów</h1><p class='muted'>Zgłoszenie o system dziedzinowy trafia "
        "przy przekazaniu do jego wspierającego według umowy tego systemu — nie do Wykonawcy rdzenia.</p>"
        "<table><thead><tr><th>System</th><th>Dostawca</th><th>Wsparcie i umowa</th><th>Urzędy</th>"
        f"<th>Usługi szyny</th><th>Zgłoszenia</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return await frame(request, "Systemy dziedzinowe", body, person)


def ticket_line(ticket: Mapping[str, Any]) -> str:
    """The ticket page's line about the domain system and the leaders' training for its component."""
    parts = []
    if ticket.get("system"):
        parts.append(f"System dziedzinowy: <a href='/systems'>{_e(ticket['system'])}</a>")
    trained = ticket.get("leaders_trained")
    if trained:
        parts.append(_badge("done" if trained["all_trained"] else "late", trained["text"]))
    return f"<p class='muted'>{' · '.join(parts)}</p>" if parts else ""


def home_links(person: Person) -> str:
    """The links to the rollout's pages on a person's home page (their office's profile first)."""
    if person.role not in ro.READ_ROLES:
        return ""
    own = f"<a href='/offices/{_e(person.jst)}'>Profil urzędu</a> · " if person.jst else ""
    return "<p>" + own + " · ".join(f"<a href='{href}'>{label}</a>" for href, label in NAV) + "</p>"


def setup(app: web.Application) -> None:
    """Register the rollout pages."""
    # /offices itself is the registry everyone reads (web/pages/region.py); readiness lives here.
    app.router.add_get("/rollout/offices", offices_page)
    app.router.add_get("/offices/{code}", office_page)
    app.router.add_post("/offices/{code}/profile", office_profile_post)
    app.router.add_post("/offices/{code}/standins/{login}", standin_post)
    app.router.add_post("/offices/{code}/milestones", milestone_add_post)
    app.router.add_post("/offices/{code}/milestones/{kind}", milestone_post)
    app.router.add_post("/offices/{code}/milestones/{kind}/wait", wait_post)
    app.router.add_post("/offices/{code}/milestones/{kind}/wait-end", wait_end_post)
    app.router.add_get("/rollout", rollout_page)
    app.router.add_get("/trainings", trainings_page)
    app.router.add_post("/trainings/attendance", attendance_post)
    app.router.add_get("/systems", systems_page)
