"""The rollout over HTTP: the offices registry and profiles, the regional plan (JSON, CSV, XLSX),
trainings and attendance, partners' domain systems and their tickets.

Who may do what is decided by the rollout service (domain/rollout.py): every role but officials
reads; the representative edits their office's profile, people and the office side of its
milestones; coordinators edit everything. The OpenAPI description of these routes is kept here,
beside them (`paths`, `schemas`), and merged into the document by web/openapi.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from helpdesk.domain import rollout as ro
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.offices import COMPONENTS
from helpdesk.services.rollout.files import schedule_csv, schedule_xlsx
from helpdesk.web.common import CONTAINER, current_person, json_body, json_response, run

EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _no_query(request: web.Request, allowed: frozenset[str] = frozenset()) -> None:
    unknown = set(request.query) - allowed
    if unknown:
        raise InvalidInput(f"nieznane parametry: {', '.join(sorted(unknown))}")


async def list_offices(request: web.Request) -> web.Response:
    """GET /api/v1/offices: the registry with each office's stage and what its profile lacks."""
    person = await current_person(request)
    _no_query(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.offices, person))


async def get_office(request: web.Request) -> web.Response:
    """GET /api/v1/offices/{code}: the office's profile, as `helpdesk offices show`."""
    person = await current_person(request)
    _no_query(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.office, person, request.match_info["code"]))


async def patch_office(request: web.Request) -> web.Response:
    """PATCH /api/v1/offices/{code}: change profile fields."""
    person = await current_person(request)
    data = await json_body(request)
    container = request.app[CONTAINER]
    code = request.match_info["code"]
    return json_response(await run(request, container.rollout.update_profile, person, code, data))


async def put_standin(request: web.Request) -> web.Response:
    """PUT /api/v1/offices/{code}/standins/{login} {"standin": login | null}."""
    person = await current_person(request)
    data = await json_body(request)
    if set(data) - {"standin"}:
        raise InvalidInput("dozwolone jest tylko pole 'standin'")
    container = request.app[CONTAINER]
    code, login = request.match_info["code"], request.match_info["login"]
    return json_response(
        await run(request, container.rollout.set_standin, person, code, login, data.get("standin"))
    )


async def put_milestone(request: web.Request) -> web.Response:
    """PUT /api/v1/offices/{code}/milestones/{kind} {"planned"?, "done"?, "office_note"?}."""
    person = await current_person(request)
    data = await json_body(request)
    container = request.app[CONTAINER]
    code, kind = request.match_info["code"], request.match_info["kind"]
    return json_response(await run(request, container.rollout.set_milestone, person, code, kind, data))


async def start_wait(request: web.Request) -> web.Response:
    """POST /api/v1/offices/{code}/milestones/{kind}/waits {"reason", "start"?, "note"?}."""
    person = await current_person(request)
    data = await json_body(request)
    container = request.app[CONTAINER]
    code, kind = request.match_info["code"], request.match_info["kind"]
    return json_response(
        await run(request, container.rollout.start_wait, person, code, kind, data), status=201
    )


async def end_wait(request: web.Request) -> web.Response:
    """POST /api/v1/offices/{code}/milestones/{kind}/waits/end {"end"?}: the office delivered."""
    person = await current_person(request)
    data = await json_body(request)
    container = request.app[CONTAINER]
    code, kind = request.match_info["code"], request.match_info["kind"]
    return json_response(await run(request, container.rollout.end_wait, person, code, kind, data))


async def get_rollout(request: web.Request) -> web.Response:
    """GET /api/v1/rollout[?format=json|csv|xlsx]: the regional plan."""
    person = await current_person(request)
    _no_query(request, frozenset({"format"}))
    fmt = request.query.get("format", "json")
    if fmt not in ("json", *EXPORTS):
        raise InvalidInput(f"nieznany format '{fmt[:20]}' (dozwolone: json, csv, xlsx)")
    container = request.app[CONTAINER]
    plan = await run(request, container.rollout.rollout, person)
    if fmt == "json":
        return json_response(plan)
    body = await run(request, schedule_csv if fmt == "csv" else schedule_xlsx, plan)
    return web.Response(
        body=body,
        headers={
            "Content-Type": EXPORTS[fmt],
            "Content-Disposition": f'attachment; filename="harmonogram-wdrozenia-{plan["as_of"]}.{fmt}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


async def get_coverage(request: web.Request) -> web.Response:
    """GET /api/v1/rollout/coverage: leaders trained per office and component, knowledge back."""
    person = await current_person(request)
    _no_query(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.coverage, person))


async def import_attendance(request: web.Request) -> web.Response:
    """POST /api/v1/rollout/attendance {"csv": "training,login[,completed_on]\\n…"}."""
    person = await current_person(request)
    data = await json_body(request)
    if set(data) != {"csv"} or not isinstance(data["csv"], str):
        raise InvalidInput("oczekiwano pola 'csv' z treścią listy obecności")
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.import_attendance, person, data["csv"]))


async def list_trainings(request: web.Request) -> web.Response:
    """GET /api/v1/trainings."""
    person = await current_person(request)
    _no_query(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.trainings, person))


async def post_training(request: web.Request) -> web.Response:
    """POST /api/v1/trainings: record (or change) a training."""
    person = await current_person(request)
    data = await json_body(request)
    container = request.app[CONTAINER]
    result = await run(request, container.rollout.put_training, person, data)
    return json_response(result, status=201 if result.pop("created") else 200)


async def get_training(request: web.Request) -> web.Response:
    """GET /api/v1/trainings/{id}: the training and who completed it."""
    person = await current_person(request)
    _no_query(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.training, person, request.match_info["id"]))


async def post_participants(request: web.Request) -> web.Response:
    """POST /api/v1/trainings/{id}/participants {"participants": [{"login", "completed_on"?}, …]}."""
    person = await current_person(request)
    data = await json_body(request)
    items = data.get("participants")
    if set(data) != {"participants"} or not isinstance(items, list) or not items or len(items) > 5000:
        raise InvalidInput("oczekiwano pola 'participants': lista (1–5000) obiektów {login, completed_on?}")
    entries: list[tuple[str, date | None]] = []
    for item in items:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("login"), str)
            or set(item) - {"login", "completed_on"}
        ):
            raise InvalidInput("każdy uczestnik to obiekt {login, completed_on?}")
        on = ro.parse_date(item["completed_on"], "completed_on") if item.get("completed_on") else None
        entries.append((item["login"], on))
    container = request.app[CONTAINER]
    training_id = request.match_info["id"]
    return json_response(await run(request, container.rollout.add_participants, person, training_id, entries))


async def list_systems(request: web.Request) -> web.Response:
    """GET /api/v1/systems: the domain systems registry with their tickets."""
    person = await current_person(request)
    _no_query(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.rollout.systems, person))


async def put_system(request: web.Request) -> web.Response:
    """PUT /api/v1/systems/{id}: register or change a domain system."""
    person = await current_person(request)
    data = await json_body(request)
    if "id" in data:
        raise InvalidInput("id systemu podaje się w adresie, nie w treści")
    container = request.app[CONTAINER]
    result = await run(
        request, container.rollout.put_system, person, {**data, "id": request.match_info["id"]}
    )
    return json_response(result, status=201 if result.pop("created") else 200)


async def system_tickets(request: web.Request) -> web.Response:
    """GET /api/v1/systems/{id}/tickets: the tickets about one domain system the caller may see."""
    person = await current_person(request)
    _no_query(request, frozenset({"page", "per_page", "status"}))
    container = request.app[CONTAINER]
    ro.require_read(person)
    filters = {"system": request.match_info["id"]}
    if "status" in request.query:
        filters["status"] = request.query["status"]
    page = _int(request, "page", 1)
    per_page = _int(request, "per_page", 50)
    return json_response(await run(request, lambda: container.tickets.list(person, filters, page, per_page)))


def _int(request: web.Request, name: str, default: int) -> int:
    from helpdesk.domain.inputs import ascii_int

    raw = request.query.get(name)
    return default if raw is None else ascii_int(raw, name, minimum=1, maximum=1_000_000)


def setup(app: web.Application) -> None:
    """Register the rollout routes."""
    app.router.add_get("/api/v1/offices", list_offices)
    app.router.add_get("/api/v1/offices/{code}", get_office)
    app.router.add_patch("/api/v1/offices/{code}", patch_office)
    app.router.add_put("/api/v1/offices/{code}/standins/{login}", put_standin)
    app.router.add_put("/api/v1/offices/{code}/milestones/{kind}", put_milestone)
    app.router.add_post("/api/v1/offices/{code}/milestones/{kind}/waits", start_wait)
    app.router.add_post("/api/v1/offices/{code}/milestones/{kind}/waits/end", end_wait)
    app.router.add_get("/api/v1/rollout", get_rollout)
    app.router.add_get("/api/v1/rollout/coverage", get_coverage)
    app.router.add_post("/api/v1/rollout/attendance", import_attendance)
    app.router.add_get("/api/v1/trainings", list_trainings)
    app.router.add_post("/api/v1/trainings", post_training)
    app.router.add_get("/api/v1/trainings/{id}", get_training)
    app.router.add_post("/api/v1/trainings/{id}/participants", post_participants)
    app.router.add_get("/api/v1/systems", list_systems)
    app.router.add_put("/api/v1/systems/{id}", put_system)
    app.router.add_get("/api/v1/systems/{id}/tickets", system_tickets)


# --- the OpenAPI description ---------------------------------------------------------------------
def _param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


CODE = _param("code", "kod TERYT urzędu")
KIND = _param("kind", f"kamień milowy: {', '.join(ro.MilestoneKind)} albo system:<id systemu>")
DATE = {"type": "string", "format": "date"}
OBJ = {"type": "object"}


def paths() -> dict[str, Any]:
    """The rollout's operations for the OpenAPI document."""
    from helpdesk.web.openapi import _json, _op, _q

    obj = {"200": {"description": "OK", "content": {"application/json": {"schema": OBJ}}}}
    created = {
        "201": {"description": "Utworzono", "content": {"application/json": {"schema": OBJ}}},
        **obj,
    }
    return {
        "/api/v1/offices": {
            "get": _op(
                "Rejestr urzędów: etap wdrożenia, braki profilu, opóźnienia",
                {"200": _json("OfficeList")},
                400,
                401,
                403,
            )
        },
        "/api/v1/offices/{code}": {
            "get": _op(
                "Profil urzędu: typ, wielkość, zakres, informatyzacja, potrzeby, osoby i zastępcy, kalendarz, "
                "kamienie milowe, szkolenia, czego brakuje",
                {"200": _json("OfficeProfile")},
                400,
                401,
                403,
                404,
                params=[CODE],
            ),
            "patch": _op(
                "Zmień profil urzędu (przedstawiciel tego urzędu, koordynator)",
                {"200": _json("OfficeProfile")},
                400,
                401,
                403,
                404,
                413,
                body="OfficeProfileEdit",
                params=[CODE],
            ),
        },
        "/api/v1/offices/{code}/standins/{login}": {
            "put": _op(
                "Wskaż zastępcę przedstawiciela lub lidera (null usuwa)",
                {"200": _json("OfficeProfile")},
                400,
                401,
                403,
                404,
                413,
                body="Standin",
                params=[CODE, _param("login", "login przedstawiciela lub lidera")],
            )
        },
        "/api/v1/offices/{code}/milestones/{kind}": {
            "put": _op(
                "Zaplanuj lub zmień kamień milowy: planned, done (koordynator), office_note (także przedstawiciel)",
                obj,
                400,
                401,
                403,
                404,
                413,
                body="MilestoneEdit",
                params=[CODE, KIND],
            )
        },
        "/api/v1/offices/{code}/milestones/{kind}/waits": {
            "post": _op(
                "Kamień milowy czeka na urząd (koordynator): opóźnienie z tego okresu idzie na konto urzędu",
                {"201": obj["200"]},
                400,
                401,
                403,
                404,
                409,
                413,
                body="WaitStart",
                params=[CODE, KIND],
            )
        },
        "/api/v1/offices/{code}/milestones/{kind}/waits/end": {
            "post": _op(
                "Urząd dostarczył: koniec oczekiwania (przedstawiciel tego urzędu, koordynator)",
                obj,
                400,
                401,
                403,
                404,
                409,
                413,
                body="WaitEnd",
                params=[CODE, KIND],
                body_required=False,
            )
        },
        "/api/v1/rollout": {
            "get": _op(
                "Regionalny harmonogram wdrożenia: kamienie milowe urzędów, daty, opóźnienia i kto na kogo czeka",
                {
                    "200": {
                        "description": "Harmonogram",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Rollout"}},
                            "text/csv": {"schema": {"type": "string"}},
                            EXPORTS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                        },
                    }
                },
                400,
                401,
                403,
                params=[_q("format", {"type": "string", "enum": ["json", "csv", "xlsx"]}, "format")],
            )
        },
        "/api/v1/rollout/coverage": {
            "get": _op(
                "Przeszkolenie liderów per urząd i komponent, prezentacje, wiedza wracająca z urzędów",
                obj,
                400,
                401,
                403,
            )
        },
        "/api/v1/rollout/attendance": {
            "post": _op(
                "Import listy obecności (CSV: training,login[,completed_on]) — całość albo nic",
                obj,
                400,
                401,
                403,
                413,
                body="AttendanceImport",
            )
        },
        "/api/v1/trainings": {
            "get": _op("Szkolenia", obj, 400, 401, 403),
            "post": _op("Zapisz szkolenie (koordynator)", created, 400, 401, 403, 404, 413, body="Training"),
        },
        "/api/v1/trainings/{id}": {
            "get": _op(
                "Szkolenie i jego uczestnicy", obj, 400, 401, 403, 404, params=[_param("id", "id szkolenia")]
            )
        },
        "/api/v1/trainings/{id}/participants": {
            "post": _op(
                "Zapisz uczestników szkolenia (koordynator)",
                obj,
                400,
                401,
                403,
                413,
                body="Participants",
                params=[_param("id", "id szkolenia")],
            )
        },
        "/api/v1/systems": {
            "get": _op("Rejestr systemów dziedzinowych z liczbą zgłoszeń", obj, 400, 401, 403)
        },
        "/api/v1/systems/{id}": {
            "put": _op(
                "Zarejestruj lub zmień system dziedzinowy (koordynator)",
                created,
                400,
                401,
                403,
                404,
                413,
                body="DomainSystem",
                params=[_param("id", "id systemu")],
            )
        },
        "/api/v1/systems/{id}/tickets": {
            "get": _op(
                "Zgłoszenia dotyczące systemu dziedzinowego",
                {"200": _json("TicketPage")},
                400,
                401,
                403,
                params=[
                    _param("id", "id systemu"),
                    _q("status", {"type": "string"}, "stany, po przecinku"),
                    _q("page", {"type": "integer", "minimum": 1}, "strona"),
                    _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "na stronie"),
                ],
            )
        },
    }


def schemas() -> dict[str, Any]:
    """The rollout's schemas for the OpenAPI document."""
    nullable_date = {**DATE, "nullable": True}
    return {
        "OfficeList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": OBJ},
                "total": {"type": "integer"},
                "as_of": DATE,
            },
        },
        "OfficeProfile": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "type": {"type": "string"},
                "missing": {"type": "array", "items": {"type": "string"}},
                "complete": {"type": "boolean"},
                "milestones": {"type": "array", "items": OBJ},
            },
        },
        "OfficeProfileEdit": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "computerisation": {"type": "string", "nullable": True, "enum": [*ro.Computerisation, None]},
                "previous_system": {"type": "string", "nullable": True, "maxLength": ro.MAX_SHORT},
                "workstations": {"type": "integer", "nullable": True, "minimum": 0, "maximum": 100000},
                "needs": {"type": "array", "items": {"type": "string", "enum": list(ro.NEEDS_PL)}},
                "notes": {"type": "string", "maxLength": ro.MAX_NOTE},
            },
        },
        "Standin": {
            "type": "object",
            "additionalProperties": False,
            "required": ["standin"],
            "properties": {"standin": {"type": "string", "nullable": True}},
        },
        "MilestoneEdit": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "planned": nullable_date,
                "done": nullable_date,
                "office_note": {"type": "string", "maxLength": ro.MAX_NOTE},
            },
        },
        "WaitStart": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reason"],
            "properties": {
                "reason": {"type": "string", "enum": list(ro.WaitReason)},
                "start": DATE,
                "note": {"type": "string", "maxLength": ro.MAX_NOTE},
            },
        },
        "WaitEnd": {"type": "object", "additionalProperties": False, "properties": {"end": DATE}},
        "Rollout": {
            "type": "object",
            "properties": {
                "as_of": DATE,
                "months": {"type": "array", "items": {"type": "string"}},
                "offices": {"type": "array", "items": OBJ},
                "totals": OBJ,
            },
        },
        "AttendanceImport": {
            "type": "object",
            "additionalProperties": False,
            "required": ["csv"],
            "properties": {
                "csv": {"type": "string", "example": "training,login\nezd-elearning,lider.plock\n"}
            },
        },
        "Training": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "kind", "component", "held_on"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
                "kind": {"type": "string", "enum": list(ro.TrainingKind)},
                "component": {"type": "string", "enum": list(COMPONENTS)},
                "held_on": DATE,
                "title": {"type": "string", "maxLength": ro.MAX_SHORT},
                "office": {"type": "string", "nullable": True},
            },
        },
        "Participants": {
            "type": "object",
            "additionalProperties": False,
            "required": ["participants"],
            "properties": {
                "participants": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["login"],
                        "properties": {"login": {"type": "string"}, "completed_on": DATE},
                    },
                }
            },
        },
        "DomainSystem": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "supplier", "supporter"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": ro.MAX_SHORT},
                "supplier": {"type": "string", "minLength": 1, "maxLength": ro.MAX_SHORT},
                "supporter": {"type": "string", "minLength": 1, "maxLength": ro.MAX_SHORT},
                "contract": {"type": "string", "nullable": True},
                "offices": {"type": "array", "items": {"type": "string"}},
                "bus_services": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
