"""What a browser sends with a page's form besides the fields: the session's form token."""

from typing import Any

from helpdesk.web.common import SESSION_COOKIE
from helpdesk.web.pages.render import CSRF_FIELD, csrf_token


def form_token(client: Any) -> str:
    """The form token of the session `client` (an aiohttp TestClient) holds."""
    for cookie in client.session.cookie_jar:
        if cookie.key == SESSION_COOKIE:
            return csrf_token(cookie.value)
    return ""


def with_token(client: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """`data` plus the form token, as the page's form would send it."""
    return {**(data or {}), CSRF_FIELD: form_token(client)}
