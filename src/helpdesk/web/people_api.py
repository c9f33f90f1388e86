"""People over HTTP: `POST /api/v1/people/import` takes a people file (services/people_import.py)
as JSON `{"csv": "…"}`. Coordinators and admins import the people of any office, a representative
only the officials and leaders of their own office (403 naming the lines otherwise); other roles
are refused."""

from aiohttp import web

from helpdesk.domain.errors import InvalidInput
from helpdesk.services.people_import import import_people
from helpdesk.web.common import CONTAINER, current_person, json_body, json_response, run


async def import_people_csv(request: web.Request) -> web.Response:
    """POST /api/v1/people/import {"csv": "login,name,role,office,email,telegram_id\\n…"}."""
    person = await current_person(request)
    data = await json_body(request)
    if set(data) != {"csv"} or not isinstance(data["csv"], str):
        raise InvalidInput(
            "oczekiwano pola 'csv' z treścią pliku osób (login,name,role,office,email,telegram_id)"
        )
    container = request.app[CONTAINER]
    result = await run(
        request,
        import_people,
        container.db,
        container.people.contractors,
        data["csv"],
        container.clock.now(),
        person,
    )
    return json_response(result.as_dict())


def setup(app: web.Application) -> None:
    """Register the people routes."""
    app.router.add_post("/api/v1/people/import", import_people_csv)
