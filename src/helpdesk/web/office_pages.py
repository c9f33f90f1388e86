"""Pages of the rollout: the offices registry, one office's profile (with the forms its representative
and the coordinators use), the regional 12-month schedule, trainings and coverage, domain systems.

Each page is a Jinja2 template under templates/rollout/ (autoescaped, in the site's layout with the
links between the rollout's pages); this module reads the data, prepares what the templates show
and takes the forms. Forms post with the session cookie (SameSite=Lax) and the form token, as the
ticket actions do; each form asks the rollout service, which decides who may change what, and
comes back to the page with what changed or the Polish reason why not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import web
from markupsafe import Markup

from helpdesk.domain import rollout as ro
from helpdesk.domain.calendar import days_in_words
from helpdesk.domain.errors import HelpdeskError, NotAuthenticated
from helpdesk.domain.people import Person
from helpdesk.domain.roles import ROLE_LABELS_PL, Role
from helpdesk.services.people import OfficeRoster
from helpdesk.services.people_import import ImportResult, summary_pl
from helpdesk.services.texts import DATE_FORMAT_PL, in_polish
from helpdesk.web.common import CONTAINER, optional_person, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.render import render, safe_next

NAV = (
    ("/offices", "Urzędy"),
    ("/rollout/offices", "Gotowość urzędów"),
    ("/rollout", "Harmonogram"),
    ("/trainings", "Szkolenia"),
    ("/systems", "Systemy dziedzinowe"),
)


async def _show(
    request: web.Request,
    template: str,
    title: str,
    context: dict[str, Any],
    person: Person,
    status: int = 200,
) -> web.Response:
    """A rollout page from templates/rollout/`template` in the site's layout, under the rollout's links
    (for those who may open them: an official refused a page is not offered more refusals)."""
    return await render(
        request,
        f"rollout/{template}",
        {"title": title, "nav": NAV if person.role in ro.READ_ROLES else (), **context},
        status=status,
        person=person,
    )


def _way_back(request: web.Request) -> str:
    """Where "Wróć" leads after a refusal: for a form, the page it was sent from; for a page that
    cannot be shown (an unknown office), the offices registry rather than the same page again.

    Browsers send the Referer as a full address; only one of this site (same host) is followed,
    as its path, so the link can never lead elsewhere."""
    if request.method == "GET":
        return "/offices"
    sent = urlsplit(request.headers.get("Referer", ""))
    back = sent.path + (f"?{sent.query}" if sent.query else "")
    return back if sent.netloc == request.host and safe_next(back) == back else "/offices"


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
            context = {"error": str(err), "back": _way_back(request)}
            return await _show(request, "refused.html", "Błąd", context, person, status=status_of(err))

    return handler


# --- the registry and one office ----------------------------------------------------------------
@page
async def offices_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /rollout/offices: every office, its stage, what its profile lacks."""
    data = await run(request, request.app[CONTAINER].rollout.offices, person)
    return await _show(request, "offices.html", "Urzędy", {"offices": data["items"]}, person)


def _people(o: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The office's representative and leaders, each with whom else of them may stand in."""
    people = o["people"]
    everyone = (
        [people["representative"], *people["leaders"]] if people["representative"] else people["leaders"]
    )
    choices = {p["login"]: p["name"] for p in everyone}
    rows = [("przedstawiciel", people["representative"])] + [("lider", p) for p in people["leaders"]]
    return [
        {"role": role, "person": p, "others": {k: v for k, v in choices.items() if k != p["login"]}}
        for role, p in rows
        if p is not None
    ]


def _milestone_kinds(o: Mapping[str, Any]) -> dict[str, str]:
    """What the coordinator may plan for the office: the core milestones and its domain systems."""
    kinds = {k.value: ro.MILESTONE_LABELS_PL[k] for k in ro.MilestoneKind}
    kinds.update({f"{ro.SYSTEM_PREFIX}{s['id']}": f"system {s['name']}" for s in o["scope"]["systems"]})
    return kinds


async def office_view(
    request: web.Request,
    person: Person,
    code: str,
    *,
    people_form: Mapping[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    """The office's page; after a people form that was refused, with what was typed and why
    (`people_form`: `add` the fields typed, `add_error`, `csv`, `import_error`)."""
    container = request.app[CONTAINER]
    o = await run(request, container.rollout.office, person, code)
    # Whom the person may add, block or import here is the people service's to say (None: no one).
    roster = await run(request, container.people.office_roster, person, code)
    for m in o["milestones"]:
        # While a wait has no end the milestone waits on the office: its row offers "delivered"
        # instead of a new wait.
        m["waiting_now"] = any(w["end"] is None for w in m["waits"])
    calendar = o["calendar"] or {}
    context = {
        "o": o,
        "can": o["can_edit"],
        "saved": bool(request.query.get("zapisano")) and status == 200,
        "calendar_days": days_in_words(calendar.get("days") or []),
        "calendar_hours": "–".join(calendar.get("hours") or []),
        "needs": {n["code"] for n in o["needs"]},
        "people": _people(o),
        "leader_names": {p["login"]: p["name"] for p in o["people"]["leaders"]},
        "milestone_kinds": _milestone_kinds(o),
        "computerisation_labels": ro.COMPUTERISATION_LABELS_PL,
        "needs_labels": ro.NEEDS_PL,
        "wait_reason_labels": ro.WAIT_REASON_LABELS_PL,
        "roster": roster,
        "role_labels": {r.value: ROLE_LABELS_PL[r] for r in roster.roles} if roster else {},
        "people_notice": _people_notice(request.query, roster) if status == 200 else "",
        "people_form": people_form or {},
    }
    return await _show(request, "office.html", o["name"], context, person, status=status)


@page
async def office_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /offices/{code}: the office's profile, people, plan and training, with its forms."""
    return await office_view(request, person, request.match_info["code"])


PEOPLE_NOTICES = {
    "dodano": "Dodano",
    "zablokowano": "Zablokowano",
    "odblokowano": "Odblokowano",
    "zaproszono": "Wysłano e-mail z linkiem do ustawienia hasła (ważnym 7 dni)",
    "limit": "Nie wysłano: ta osoba dostała już w ciągu godziny trzy linki – spróbuj później",
}


def _people_notice(query: Mapping[str, str], roster: OfficeRoster | None) -> str:
    """What the people section says after its form came back (`?dodano=LOGIN`, `?zablokowano=LOGIN`,
    `?odblokowano=LOGIN`, `?zaproszono=LOGIN`, `?limit=LOGIN`,
    `?zaimportowano=ADDED,UPDATED,UNCHANGED`): only names of the office's people
    and numbers, so a crafted link cannot put words on the page."""
    if roster is None:
        return ""
    names = {entry.person.login: entry.person.name for entry in roster.people}
    for key, verb in PEOPLE_NOTICES.items():
        if query.get(key) in names:
            return f"{verb}: {names[query[key]]}"
    counts = query.get("zaimportowano", "").split(",")
    if len(counts) == 3 and all(c.isascii() and c.isdigit() and len(c) < 7 for c in counts):
        return summary_pl(ImportResult(*(int(c) for c in counts)))
    return ""


def back_to_office(code: str, query: str = "zapisano=1") -> web.HTTPSeeOther:
    """Back to the office's page after a form, saying what was done (`query`)."""
    return web.HTTPSeeOther(f"/offices/{quote(code, safe='')}?{query}")


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
    raise back_to_office(code)


@page
async def standin_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/standins/{login}: name a stand-in."""
    form = await request.post()
    code, login = request.match_info["code"], request.match_info["login"]
    standin = str(form.get("standin", "")) or None
    await run(request, request.app[CONTAINER].rollout.set_standin, person, code, login, standin)
    raise back_to_office(code)


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
    raise back_to_office(code)


@page
async def milestone_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones/{kind}: dates (coordinators) or the office's note."""
    form = await request.post()
    code, kind = request.match_info["code"], request.match_info["kind"]
    await run(
        request, request.app[CONTAINER].rollout.set_milestone, person, code, kind, _milestone_form(form)
    )
    raise back_to_office(code)


@page
async def wait_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones/{kind}/wait: the milestone waits on the office from today."""
    form = await request.post()
    code, kind = request.match_info["code"], request.match_info["kind"]
    data = {"reason": str(form.get("reason", "")), "note": str(form.get("note", ""))}
    await run(request, request.app[CONTAINER].rollout.start_wait, person, code, kind, data)
    raise back_to_office(code)


@page
async def wait_end_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/milestones/{kind}/wait-end: the office delivered today."""
    code, kind = request.match_info["code"], request.match_info["kind"]
    await run(request, request.app[CONTAINER].rollout.end_wait, person, code, kind, {})
    raise back_to_office(code)


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
    for o in plan["offices"]:
        status = {ms["kind"]: ms["status"] for ms in o["milestones"]}
        # Per month the office's milestones as (status, short name) badges, a done one ticked.
        o["cells"] = [
            [
                (status.get(k, ""), ("✓ " if status.get(k) == "done" else "") + _short(k))
                for k in o["by_month"].get(month, [])
            ]
            for month in plan["months"]
        ]
    return await _show(request, "rollout.html", "Harmonogram", {"plan": plan}, person)


@page
async def trainings_page(request: web.Request, person: Person) -> web.StreamResponse:
    """GET /trainings: trainings, coverage per office and component, the attendance import form."""
    container = request.app[CONTAINER]
    trainings = await run(request, container.rollout.trainings, person)
    coverage = await run(request, container.rollout.coverage, person)
    context = {
        "trainings": trainings,
        "coverage": coverage,
        "can_import": ro.can_edit(person, ro.Part.TRAINING),
        "result": request.query.get("wynik", ""),
    }
    return await _show(request, "trainings.html", "Szkolenia", context, person)


@page
async def attendance_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /trainings/attendance: import an attendance list pasted as CSV."""
    form = await request.post()
    result = await run(
        request, request.app[CONTAINER].rollout.import_attendance, person, str(form.get("csv", ""))
    )
    trained = "; ".join(
        f"{t['name']}: szkolenie z {t['component']} ukończone {in_polish(t['on'], DATE_FORMAT_PL)}"
        for t in result["trained_now"]
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
    names = await run(
        request, container.people.office_names, [code for s in systems["items"] for code in s["offices"]]
    )
    for s in systems["items"]:
        s["office_names"] = [names.get(code, code) for code in s["offices"]]
        contract = container.contracts.get(s["contract"] or "")
        s["contract_title"] = contract.title if contract is not None else s["contract"]
        tickets = await run(
            request, lambda sid=s["id"]: container.tickets.list(person, {"system": sid}, 1, 20)
        )
        s["ticket_ids"] = [t["id"] for t in tickets["items"]]
    return await _show(request, "systems.html", "Systemy dziedzinowe", {"systems": systems["items"]}, person)


# The two lines the ticket pages show (web/pages/tickets.py): markup small enough to be built here,
# every value in it escaped by Markup.format.
def _badge(status: str, label: str) -> Markup:
    return Markup("<span class='badge {}'>{}</span>").format(status, label)


def ticket_line(ticket: Mapping[str, Any], person: Person) -> Markup:
    """The ticket page's line about the domain system and the leaders' training for its component
    (not for officials); the system links to the systems page for those who may read the rollout."""
    parts = []
    if ticket.get("system"):
        link = "<a href='/systems'>{}</a>" if person.role in ro.READ_ROLES else "{}"
        parts.append(
            Markup("System dziedzinowy: " + link).format(ticket.get("system_name") or ticket["system"])
        )
    # Whether the office's leaders are trained is the rollout's concern, not the official's.
    trained = ticket.get("leaders_trained") if person.role is not Role.OFFICIAL else None
    if trained:
        parts.append(_badge("done" if trained["all_trained"] else "late", trained["text"]))
    return Markup("<p class='muted'>{}</p>").format(Markup(" · ").join(parts)) if parts else Markup("")


def home_links(person: Person) -> Markup:
    """The links to the rollout's pages on a person's home page (their office's profile first)."""
    if person.role not in ro.READ_ROLES:
        return Markup("")
    links = [Markup("<a href='{}'>{}</a>").format(href, label) for href, label in NAV]
    if person.jst:
        links.insert(0, Markup("<a href='/offices/{}'>Profil urzędu</a>").format(quote(person.jst, safe="")))
    return Markup("<p>{}</p>").format(Markup(" · ").join(links))


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
