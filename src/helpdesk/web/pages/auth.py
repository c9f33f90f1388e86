"""Login and logout. A login starts a new session (the one sent with it ends) and is throttled by
the people service; after it the person lands where they were going (`next`, a local path only)."""

from aiohttp import web

from helpdesk.domain.errors import NotAuthenticated, TooManyRequests
from helpdesk.web.common import CONTAINER, SESSION_COOKIE, run
from helpdesk.web.pages.render import render, safe_next


async def login_form(
    request: web.Request, error: str = "", status: int = 200, target: str = ""
) -> web.Response:
    """GET /login: the login form."""
    target = target or safe_next(request.query.get("next"))
    notice = "Hasło ustawione. Zaloguj się nowym hasłem." if request.query.get("haslo") == "ustawione" else ""
    context = {"title": "Logowanie", "error": error, "next": target, "notice": notice}
    return await render(request, "login.html", context, status=status)


async def login_submit(request: web.Request) -> web.StreamResponse:
    """POST /login: check the password (throttled), start a new session, go where the person was going."""
    form = await request.post()
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")) or request.query.get("next"))
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
        return await login_form(request, "Niepoprawny login lub hasło.", 401, target)
    except TooManyRequests as err:
        response = await login_form(request, str(err), 429, target)
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    raise with_session(request, web.HTTPSeeOther(target), session)


def with_session(request: web.Request, response: web.HTTPSeeOther, session: str) -> web.HTTPSeeOther:
    """`response` setting the browser's session cookie to `session` (a login, a password change)."""
    # Secure whenever people reach us over HTTPS (directly, or through a trusted proxy that says so).
    secure = request.scheme == "https" or request.app[CONTAINER].settings.public_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE, session, httponly=True, samesite="Lax", max_age=12 * 3600, secure=secure
    )
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """POST /logout: end the session."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await run(request, request.app[CONTAINER].people.logout, session)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE)
    raise response


def setup(app: web.Application) -> None:
    """Register the login routes."""
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
