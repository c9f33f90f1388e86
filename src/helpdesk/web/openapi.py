"""The OpenAPI 3 document of the API, kept beside the routes it describes (a test compares them)."""

from typing import Any

from aiohttp import web

from helpdesk.domain.kb.article import (
    DISCARDED,
    DRAFT,
    MAX_BODY,
    MAX_ID,
    MAX_QUESTION,
    MAX_QUESTIONS,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    PUBLISHED,
)
from helpdesk.domain.offices import COMPONENTS
from helpdesk.domain.tickets import Action, Priority, State
from helpdesk.services.tickets import SORTS
from helpdesk.web.common import json_response

ERR = {"$ref": "#/components/responses/Error"}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): ERR for code in codes}


def _op(
    summary: str,
    ok: dict[str, Any],
    *codes: int,
    body: str | None = None,
    params: list[dict[str, Any]] | None = None,
    auth: bool = True,
    body_required: bool = True,
) -> dict[str, Any]:
    # Every write with a body may be refused for its content type (only application/json is taken),
    # and any request may meet the database down (503 with a Polish message).
    extra = (415, 503) if body else (503,)
    op: dict[str, Any] = {"summary": summary, "responses": {**ok, **_errors(*codes, *extra)}}
    if body:
        op["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    if params:
        op["parameters"] = params
    if not auth:
        op["security"] = []
    return op


def _json(schema: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _q(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _period_params() -> list[dict[str, Any]]:
    return [
        _q("from", {"type": "string", "format": "date"}, "od (włącznie)"),
        _q("to", {"type": "string", "format": "date"}, "do (włącznie)"),
        _q("office", {"type": "string"}, "kod TERYT urzędu"),
    ]


TICKET_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^T-\\d+$"},
}
OFFICE_CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "kod TERYT urzędu",
    "schema": {"type": "string", "pattern": "^\\d{1,12}$"},
}
ID_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
ARTICLE_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "id szkicu, np. szkic-t-000042",
    "schema": {"type": "string", "pattern": ID_PATTERN, "maxLength": MAX_ID},
}


PROPOSAL_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.0 document."""
    ticket_props: dict[str, Any] = {
        "id": {"type": "string", "example": "T-000042"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "office": {"type": "string"},
        "component": {"type": "string", "nullable": True, "enum": [*COMPONENTS, None]},
        "component_label": {"type": "string", "nullable": True},
        "priority": {"type": "string", "enum": [p.value for p in Priority]},
        "priority_label": {"type": "string"},
        "state": {"type": "string", "enum": [s.value for s in State]},
        "state_label": {"type": "string"},
        "escalated": {"type": "boolean"},
        "contract": {"type": "string", "nullable": True},
        "contractor": {"type": "string", "nullable": True},
        "assignee": {"type": "string", "nullable": True},
        "channel": {"type": "string"},
        "system": {"type": "string", "nullable": True, "description": "system dziedzinowy partnera"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "next_deadline": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "kiedy system następnie sprawdzi zegary (ostrzeżenie albo termin)",
        },
        "sla_due": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "w listach: najbliższy termin umowny biegnącego zegara Wykonawcy",
        },
        "first_line_due": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "termin przejęcia przez liderów urzędu; po jego upływie: kolejne przypomnienie",
        },
        "first_line_overdue": {
            "type": "boolean",
            "description": "liderzy urzędu nie przejęli zgłoszenia w terminie (nowe, nieprzypisane)",
        },
        "breached": {"type": "boolean", "description": "w listach: termin umowny przekroczony"},
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
    }
    draft_props: dict[str, Any] = {
        "id": {"type": "string", "example": "szkic-t-000042"},
        "title": {"type": "string"},
        "component": {"type": "string", "enum": list(COMPONENTS)},
        "status": {"type": "string", "enum": [DRAFT, PUBLISHED, DISCARDED]},
        "status_label": {"type": "string"},
        "version": {"type": "integer"},
        "ticket": {"type": "string", "nullable": True, "description": "zgłoszenie, z którego powstał szkic"},
        "office": {"type": "string", "nullable": True, "description": "urząd tego zgłoszenia (kod TERYT)"},
        "drafted_by": {"type": "string", "nullable": True},
        "drafted_at": {"type": "string", "format": "date-time", "nullable": True},
        "updated_by": {"type": "string", "nullable": True},
        "updated_at": {"type": "string", "format": "date-time"},
        "questions": {"type": "array", "items": {"type": "string"}},
        "suggested_id": {
            "type": "string",
            "nullable": True,
            "example": "sprzet-rzutnik-nie-wyswietla-obrazu",
            "description": "id, pod którym szkic zostałby teraz opublikowany bez podania 'id' "
            "(komponent i tytuł, unikalne); null, gdy to nie szkic",
        },
    }
    edit_props: dict[str, Any] = {
        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
        "component": {"type": "string", "enum": list(COMPONENTS)},
        "tags": {"type": "array", "maxItems": MAX_TAGS, "items": {"type": "string", "maxLength": MAX_TAG}},
        "questions": {
            "type": "array",
            "maxItems": MAX_QUESTIONS,
            "items": {"type": "string", "maxLength": MAX_QUESTION},
        },
        "body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY, "description": "Markdown"},
        "version": {
            "type": "integer",
            "minimum": 1,
            "description": "wersja, której dotyczą zmiany; inna niż bieżąca → 409",
        },
    }
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "helpdesk API",
            "version": "1",
            "description": "API help-desku e-Urzędu: zgłoszenia, baza wiedzy, raporty SLA.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            "/healthz": {
                "get": _op(
                    "Stan usługi",
                    {"200": _json("Health"), "503": _json("Health", "Baza danych niedostępna")},
                    auth=False,
                )
            },
            "/metrics": {
                "get": _op(
                    "Metryki Prometheus",
                    {
                        "200": {
                            "description": "text/plain",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                    auth=False,
                )
            },
            "/api/v1/openapi.json": {
                "get": _op("Ten dokument", {"200": {"description": "OpenAPI"}}, auth=False)
            },
            "/api/v1/kb/answer": {
                "post": _op(
                    "Odpowiedź z bazy wiedzy", {"200": _json("KbAnswer")}, 400, 401, 413, body="KbQuestion"
                )
            },
            "/api/v1/people/import": {
                "post": _op(
                    "Import osób z CSV (login,name,role,office,email,telegram_id) — wszystkie linie albo "
                    "żadna; nowe loginy są dodawane, znanym zmienia się imię i nazwisko lub e-mail. "
                    "Koordynator i administrator: osoby każdego urzędu; przedstawiciel: tylko urzędnicy i "
                    "liderzy własnego urzędu (403 z numerami linii)",
                    {"200": _json("PeopleImportResult")},
                    400,
                    401,
                    403,
                    413,
                    body="PeopleImport",
                )
            },
            "/api/v1/kb/feedback": {
                "post": _op(
                    "Czy odpowiedź pomogła?",
                    {"200": {"description": "Zapisano"}},
                    400,
                    401,
                    404,
                    body="KbFeedback",
                )
            },
            "/api/v1/kb/reports/deflection": {
                "get": _op(
                    "Skuteczność bazy wiedzy (odpowiedzi bez zgłoszenia w ciągu 7 dni) per urząd i komponent",
                    {"200": {"description": "Raport"}},
                    400,
                    401,
                    403,
                    params=_period_params(),
                )
            },
            "/api/v1/kb/reports/unanswered": {
                "get": _op(
                    "Pytania bez odpowiedzi pogrupowane według podobieństwa",
                    {"200": {"description": "Raport"}},
                    400,
                    401,
                    403,
                    params=_period_params(),
                )
            },
            "/api/v1/tickets/{id}/draft-article": {
                "post": _op(
                    "Szkic artykułu z rozwiązanego zgłoszenia",
                    {"201": {"description": "Utworzono szkic"}},
                    400,
                    401,
                    403,
                    404,
                    409,
                    params=[TICKET_ID],
                )
            },
            "/api/v1/kb/drafts": {
                "get": _op(
                    "Szkice artykułów do przejrzenia (lider: ze zgłoszeń swojego urzędu; koordynator, administrator: "
                    "wszystkie)",
                    {"200": _json("KbDraftList")},
                    401,
                    403,
                )
            },
            "/api/v1/kb/drafts/{id}": {
                "get": _op(
                    "Szkic artykułu z treścią i historią wersji (po publikacji stare id szkicu → 404 "
                    "z id artykułu w komunikacie)",
                    {"200": _json("KbDraft")},
                    400,
                    401,
                    403,
                    404,
                    params=[ARTICLE_ID],
                ),
                "put": _op(
                    "Popraw szkic (pola pominięte zostają bez zmian; sprawdzane jak importowane artykuły)",
                    {"200": _json("KbDraft")},
                    400,
                    401,
                    403,
                    404,
                    409,
                    413,
                    body="KbDraftEdit",
                    params=[ARTICLE_ID],
                ),
            },
            "/api/v1/kb/drafts/{id}/publish": {
                "post": _op(
                    "Opublikuj szkic (koordynator, administrator) pod ostatecznym id (pole 'id' albo "
                    "<komponent>-<tytuł>): od razu służy do odpowiedzi i jest pod /kb/{nowe id}; z historią; "
                    "id zajęte przez inny artykuł → 409",
                    {"200": _json("KbDraft")},
                    400,
                    401,
                    403,
                    404,
                    409,
                    413,
                    body="KbDraftPublish",
                    params=[ARTICLE_ID],
                    body_required=False,
                )
            },
            "/api/v1/kb/drafts/{id}/discard": {
                "post": _op(
                    "Odrzuć szkic (koordynator, administrator): historia zostaje, szkic nigdy nie służy do odpowiedzi",
                    {"200": _json("KbDraft")},
                    400,
                    401,
                    403,
                    404,
                    409,
                    413,
                    body="KbDraftDiscard",
                    params=[ARTICLE_ID],
                    body_required=False,
                )
            },
            "/api/v1/kb/proposals": {
                "get": _op(
                    "Propozycje z pytań: nowe sformułowania (pytanie bez odpowiedzi, na które lider odpowiedział "
                    "artykułem) i kontrprzykłady („Nie pomogło”); lider: swojego urzędu",
                    {"200": _json("KbProposalList")},
                    400,
                    401,
                    403,
                    params=[
                        _q(
                            "status",
                            {
                                "type": "string",
                                "enum": ["pending", "accepted", "rejected", "all"],
                                "default": "pending",
                            },
                            "stan propozycji",
                        )
                    ],
                )
            },
            "/api/v1/kb/proposals/{id}/accept": {
                "post": _op(
                    "Przyjmij propozycję (koordynator, administrator): od razu bierze udział w dopasowaniu",
                    {"200": _json("KbProposal")},
                    400,
                    401,
                    403,
                    404,
                    409,
                    params=[PROPOSAL_ID],
                )
            },
            "/api/v1/kb/proposals/{id}/reject": {
                "post": _op(
                    "Odrzuć propozycję (koordynator, administrator): zostaje zapisana, nigdy nie jest używana",
                    {"200": _json("KbProposal")},
                    400,
                    401,
                    403,
                    404,
                    409,
                    params=[PROPOSAL_ID],
                )
            },
            "/api/v1/tickets": {
                "post": _op(
                    "Nowe zgłoszenie",
                    {"201": _json("Ticket", "Utworzono")},
                    400,
                    401,
                    403,
                    413,
                    body="NewTicket",
                ),
                "get": _op(
                    "Lista zgłoszeń widocznych dla wywołującego",
                    {"200": _json("TicketPage")},
                    400,
                    401,
                    params=[
                        _q("status", {"type": "string"}, "stany, oddzielone przecinkami"),
                        _q("office", {"type": "string"}, "kod TERYT"),
                        _q("priority", {"type": "string", "enum": [p.value for p in Priority]}, "priorytet"),
                        _q("escalated", {"type": "boolean"}, "przekazane Wykonawcy"),
                        _q("q", {"type": "string", "maxLength": 200}, "szukaj w tytule i opisie albo numer"),
                        _q("component", {"type": "string", "enum": list(COMPONENTS)}, "komponent"),
                        _q(
                            "assignee",
                            {"type": "string", "maxLength": 100},
                            "login przypisanego lidera; 'none': nieprzejęte",
                        ),
                        _q("breached", {"type": "boolean"}, "z przekroczonym terminem SLA"),
                        _q(
                            "sort",
                            {"type": "string", "enum": list(SORTS)},
                            "kolejność (deadline: najbliższy termin SLA)",
                        ),
                        _q("page", {"type": "integer", "minimum": 1}, "strona"),
                        _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "na stronę"),
                    ],
                ),
            },
            "/api/v1/tickets/{id}": {
                "get": _op(
                    "Zgłoszenie, jego zdarzenia i zegary SLA",
                    {"200": _json("TicketDetail")},
                    400,
                    401,
                    404,
                    params=[TICKET_ID],
                )
            },
            "/api/v1/tickets/{id}/actions": {
                "post": _op(
                    "Akcja na zgłoszeniu",
                    {"200": _json("Ticket")},
                    400,
                    401,
                    403,
                    404,
                    409,
                    413,
                    body="ActionRequest",
                    params=[TICKET_ID],
                )
            },
            "/api/v1/reports/statement": {
                "get": _op(
                    "Miesięczne zestawienie kar umownych jednej umowy (z limitem łącznym)",
                    {"200": {"description": "html, xlsx lub json"}},
                    400,
                    401,
                    403,
                    params=[
                        _q("contract", {"type": "string"}, "id umowy"),
                        _q("month", {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}, "miesiąc RRRR-MM"),
                        _q("format", {"type": "string", "enum": ["html", "xlsx", "json"]}, "format"),
                    ],
                )
            },
            "/api/v1/offices/{code}/calendar": {
                "get": _op(
                    "Kalendarz pracy urzędu i cele pierwszej linii",
                    {"200": _json("OfficeCalendar")},
                    400,
                    401,
                    params=[OFFICE_CODE],
                ),
                "put": _op(
                    "Ustaw kalendarz urzędu (przedstawiciel urzędu, koordynator)",
                    {"200": _json("OfficeCalendar")},
                    400,
                    401,
                    403,
                    body="OfficeCalendarInput",
                    params=[OFFICE_CODE],
                ),
            },
            "/api/v1/reports/sla": {
                "get": _op(
                    "Raport SLA",
                    {"200": {"description": "json, csv, xlsx lub html"}},
                    400,
                    401,
                    403,
                    params=[
                        _q("from", {"type": "string", "format": "date"}, "od"),
                        _q("to", {"type": "string", "format": "date"}, "do"),
                        _q("contract", {"type": "string"}, "umowa"),
                        _q("office", {"type": "string"}, "tylko ten urząd (kod TERYT)"),
                        _q("component", {"type": "string"}, "tylko ten komponent"),
                        _q("priority", {"type": "string"}, "tylko ten priorytet"),
                        _q("format", {"type": "string", "enum": ["json", "csv", "xlsx", "html"]}, "format"),
                    ],
                )
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "helpdesk_session"},
            },
            "responses": {
                "Error": {
                    "description": "Błąd",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "schemas": {
                "PeopleImport": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["csv"],
                    "properties": {
                        "csv": {
                            "type": "string",
                            "description": "treść pliku CSV w UTF-8 (przecinek albo średnik), najwyżej 5 MB",
                            "example": "login,name,role,office,email,telegram_id\n"
                            "jan.nowak,Jan Nowak,official,1462011,jan.nowak@plock.eu,\n",
                        }
                    },
                },
                "PeopleImportResult": {
                    "type": "object",
                    "required": ["added", "updated", "unchanged"],
                    "properties": {
                        "added": {"type": "integer", "description": "dodane osoby"},
                        "updated": {
                            "type": "integer",
                            "description": "osoby ze zmienionym imieniem i nazwiskiem lub e-mailem",
                        },
                        "unchanged": {"type": "integer", "description": "osoby bez zmian"},
                    },
                },
                "OfficeCalendar": {
                    "type": "object",
                    "required": ["office", "own", "calendar", "first_line"],
                    "properties": {
                        "office": {"type": "string"},
                        "own": {"type": "boolean", "description": "czy urząd ma własny plik kalendarza"},
                        "file": {"type": ["string", "null"]},
                        "calendar": {"type": ["object", "null"]},
                        "first_line": {"type": "object"},
                    },
                },
                "OfficeCalendarInput": {
                    "type": "object",
                    "required": ["calendar"],
                    "properties": {
                        "calendar": {
                            "type": "object",
                            "description": "timezone, days, hours, holidays, closed, open — jak w pliku sla/offices/KOD.yaml",
                        },
                        "first_line": {
                            "type": ["object", "null"],
                            "description": "priorytet → {take, answer, resolve_or_escalate}, np. 30m, 4h, 2d",
                        },
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Health": {"type": "object", "properties": {"status": {"type": "string"}}},
                "KbQuestion": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string", "maxLength": 20000}},
                },
                "KbAnswer": {
                    "type": "object",
                    "required": ["answered", "article", "score", "candidates"],
                    "properties": {
                        "answered": {"type": "boolean"},
                        "article": {
                            "type": "object",
                            "nullable": True,
                            "properties": {
                                "id": {"type": "string"},
                                "title": {"type": "string"},
                                "url": {"type": "string"},
                            },
                        },
                        "score": {"type": "number", "minimum": 0, "maximum": 1},
                        "candidates": {
                            "type": "array",
                            "maxItems": 3,
                            "items": {
                                "type": "object",
                                "properties": {"id": {"type": "string"}, "score": {"type": "number"}},
                            },
                        },
                        "suggestions": {
                            "type": "array",
                            "maxItems": 3,
                            "description": "bez odpowiedzi: artykuły do zaproponowania jako „Może chodzi o…”",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "url": {"type": "string"},
                                    "score": {"type": "number"},
                                },
                            },
                        },
                    },
                },
                "KbFeedback": {
                    "type": "object",
                    "required": ["query_id", "helpful"],
                    "properties": {"query_id": {"type": "integer"}, "helpful": {"type": "boolean"}},
                },
                "NewTicket": {
                    "type": "object",
                    "required": ["title"],
                    "additionalProperties": False,
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": 200},
                        "description": {"type": "string", "maxLength": 20000},
                        "component": {"type": "string", "enum": list(COMPONENTS)},
                        "priority": {"type": "string", "enum": [p.value for p in Priority]},
                        "office": {"type": "string", "description": "kod TERYT (tylko koordynator)"},
                        "system": {
                            "type": "string",
                            "description": "id systemu dziedzinowego partnera (GET /api/v1/systems), "
                            "którego dotyczy zgłoszenie",
                        },
                    },
                },
                "ActionRequest": {
                    "type": "object",
                    "required": ["action"],
                    "additionalProperties": False,
                    "properties": {
                        "action": {"type": "string", "enum": [a.value for a in Action]},
                        "text": {
                            "type": "string",
                            "maxLength": 20000,
                            "description": "treść odpowiedzi lub komentarza; przy workaround i resolve "
                            "notatka Wykonawcy (co zrobiono), przy reopen powód",
                        },
                        "priority": {"type": "string", "enum": [p.value for p in Priority]},
                        "component": {
                            "type": "string",
                            "enum": list(COMPONENTS),
                            "description": "set_component: nowy komponent; escalate: komponent ustawiany "
                            "przed przekazaniem (zgłoszenie bez komponentu, np. z e-maila)",
                        },
                        "contract": {"type": "string"},
                        "assignee": {
                            "type": "string",
                            "description": "take: login lidera urzędu, któremu przekazać zgłoszenie "
                            "(domyślnie wywołujący)",
                        },
                        "system": {
                            "type": "string",
                            "description": "tylko z 'escalate': system dziedzinowy partnera — zgłoszenie "
                            "trafia do jego wspierającego według umowy tego systemu",
                        },
                        "article": {
                            "type": "string",
                            "description": "id opublikowanego artykułu: link do niego trafia do treści, "
                            "a pytanie zgłoszenia staje się propozycją dla bazy wiedzy",
                        },
                    },
                },
                "Ticket": {"type": "object", "properties": ticket_props},
                "TicketDetail": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Ticket"},
                        {
                            "type": "object",
                            "properties": {
                                "author": {"type": "object", "nullable": True},
                                "events": {"type": "array", "items": {"type": "object"}},
                                "sla": {"type": "object", "nullable": True},
                                "leaders_trained": {
                                    "type": "object",
                                    "nullable": True,
                                    "description": "czy liderzy urzędu są przeszkoleni z komponentu zgłoszenia",
                                },
                            },
                        },
                    ]
                },
                "KbDraftSummary": {"type": "object", "properties": draft_props},
                "KbDraftList": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/KbDraftSummary"}},
                        "total": {"type": "integer"},
                    },
                },
                "KbDraft": {
                    "allOf": [
                        {"$ref": "#/components/schemas/KbDraftSummary"},
                        {
                            "type": "object",
                            "properties": {
                                "tags": {"type": "array", "items": {"type": "string"}},
                                "body": {"type": "string"},
                                "url": {
                                    "type": "string",
                                    "nullable": True,
                                    "description": "adres artykułu po publikacji",
                                },
                                "outcome": {
                                    "type": "string",
                                    "enum": ["updated", "unchanged"],
                                    "description": "tylko w odpowiedzi na zmianę",
                                },
                                "renamed_from": {
                                    "type": "string",
                                    "nullable": True,
                                    "description": "tylko w odpowiedzi na publikację: dawne id szkicu "
                                    "(null, gdy id się nie zmieniło)",
                                },
                                "history": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "version": {"type": "integer"},
                                            "status": {"type": "string"},
                                            "at": {"type": "string", "format": "date-time"},
                                            "by": {"type": "string", "nullable": True},
                                            "renamed_from": {
                                                "type": "string",
                                                "nullable": True,
                                                "description": "wersja, którą szkic opublikowano pod nowym id: "
                                                "jego dawne id",
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    ]
                },
                "KbDraftEdit": {
                    "type": "object",
                    "additionalProperties": False,
                    "minProperties": 1,
                    "properties": edit_props,
                },
                "KbDraftPublish": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "opcjonalnie ostateczne id artykułu i ostatnie poprawki, "
                    "publikowane razem ze szkicem",
                    "properties": {
                        "id": {
                            "type": "string",
                            "nullable": True,
                            "pattern": ID_PATTERN,
                            "maxLength": MAX_ID,
                            "example": "sprzet-rzutnik-brak-sygnalu",
                            "description": "id artykułu po publikacji (reguły jak w "
                            "importowanych plikach, nie 'szkic-t-…'); "
                            "pominięte lub null: <komponent>-<tytuł> bez "
                            "polskich znaków, z -2, -3…, gdy zajęte; zajęte "
                            "przez dowolny artykuł → 409",
                        },
                        **edit_props,
                    },
                },
                "KbDraftDiscard": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"version": edit_props["version"]},
                },
                "KbProposal": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string", "enum": ["phrasing", "counter_example"]},
                        "kind_label": {"type": "string"},
                        "article_id": {"type": "string"},
                        "article_title": {"type": "string", "nullable": True},
                        "text": {"type": "string", "description": "pytanie urzędnika"},
                        "ticket": {"type": "string", "nullable": True},
                        "office": {"type": "string", "nullable": True},
                        "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]},
                        "status_label": {"type": "string"},
                        "proposed_at": {"type": "string", "format": "date-time"},
                        "proposed_by": {"type": "string", "nullable": True},
                        "decided_at": {"type": "string", "format": "date-time", "nullable": True},
                        "decided_by": {"type": "string", "nullable": True},
                    },
                },
                "KbProposalList": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/KbProposal"}},
                        "total": {"type": "integer"},
                    },
                },
                "TicketPage": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                    },
                },
            },
        },
    }
    from helpdesk.web import rollout_api

    doc["paths"].update(rollout_api.paths())
    doc["components"]["schemas"].update(rollout_api.schemas())
    return doc


async def serve_document(_request: web.Request) -> web.Response:
    """GET /api/v1/openapi.json."""
    return json_response(document())


def setup(app: web.Application) -> None:
    """Register the document route."""
    app.router.add_get("/api/v1/openapi.json", serve_document)
