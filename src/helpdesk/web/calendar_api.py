"""`GET`/`PUT /api/v1/offices/{code}/calendar` — an office's working calendar and first-line targets.

GET: anyone signed in. PUT `{"calendar": {...}, "first_line": {...}}` (the keys of an office file,
`sla/offices/<code>.yaml`): the office's representative, a coordinator or an admin. Written to
the office file and logged in the hash-chained log (services/office_calendars.py).
"""

from aiohttp import web

from helpdesk.web.common import CONTAINER, current_person, json_body, json_response, run


async def get_calendar(request: web.Request) -> web.Response:
    """The calendar and targets that apply to the office (its own file, or the defaults)."""
    await current_person(request)
    service = request.app[CONTAINER].office_calendars
    return json_response(await run(request, service.show, request.match_info["code"]))


async def put_calendar(request: web.Request) -> web.Response:
    """Set the office's calendar (and first-line targets, if given)."""
    person = await current_person(request)
    body = await json_body(request)
    service = request.app[CONTAINER].office_calendars
    return json_response(await run(request, service.update, person, request.match_info["code"], body))


def setup(app: web.Application) -> None:
    """Register the office calendar routes."""
    app.router.add_get("/api/v1/offices/{code}/calendar", get_calendar)
    app.router.add_put("/api/v1/offices/{code}/calendar", put_calendar)
