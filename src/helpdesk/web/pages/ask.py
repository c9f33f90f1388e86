"""The page "Zapytaj" (/ask): the bot's conversation in the browser, for people without Telegram.

It is the same dialogue service the Telegram bot talks through (services/intake/dialogue.py), keyed
`web:<person id>`: a question gets the knowledge base's answer with "Pomogło / Nie pomogło", close
candidates under "Może chodzi o…", and when nothing helps the three short steps that turn the
question into a ticket. "Pomogło" is recorded as a deflection exactly as in the bot. The page only
shows the replies: their text is the dialogue's safe chat markup (`Html`), shown as it is with
line breaks kept, and each button is a small form that sends the button's data back.

The conversation's state lives in the database (as the bot's), so the next message continues it;
the page shows the last exchange, and when opened afresh what the conversation still waits for.
"""

import re
from typing import Any

from aiohttp import web
from markupsafe import Markup

from helpdesk.domain.people import Person
from helpdesk.services.intake.dialogue import Reply
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.pages.render import render, signed_in

MAX_LABEL = 80
MODE_HINTS = {
    "ticket": "Trwa zakładanie zgłoszenia — odpowiedz na ostatnie pytanie albo wybierz przycisk.",
    "answered": "Możesz napisać kolejne pytanie.",
    "offered": "Możesz zapytać inaczej albo założyć zgłoszenie.",
}


def conversation_key(person: Person) -> str:
    """The web conversation of a person: one per person, whichever browser they use."""
    return f"web:{person.id}"


def _links(text: str, public_url: str) -> Markup:
    """The reply's markup with the desk's own addresses (articles, tickets) made links.

    Only addresses under our public URL become links: a ticket title quoted in a reply may hold
    any address someone typed, and that stays plain text."""
    base = re.escape(public_url.rstrip("/"))
    pattern = re.compile(base + r"/[^\s<>\"']*")
    return Markup(pattern.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text))


def _bubbles(replies: list[Reply], public_url: str) -> list[dict[str, Any]]:
    return [
        {
            "html": _links(str(r.text), public_url),
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in r.buttons],
            "ticket": r.ticket_id,
        }
        for r in replies
    ]


async def _page(
    request: web.Request, person: Person, said: str = "", replies: list[Reply] | None = None
) -> web.Response:
    container = request.app[CONTAINER]
    state = await run(request, container.dialogue.state, conversation_key(person))
    context = {
        "title": "Zapytaj",
        "said": said,
        "bubbles": _bubbles(replies or [], str(container.kb.public_url)),
        "hint": MODE_HINTS.get(str(state.get("mode") or "")),
        "last_ticket": state.get("last_ticket"),
    }
    return await render(request, "kb/ask.html", context, person=person)


async def ask_page(request: web.Request) -> web.StreamResponse:
    """GET /ask: the conversation's form, and what an unfinished conversation waits for (the ticket
    step with its buttons, or the offer to open a ticket), so that coming back is never a dead end."""
    person = await signed_in(request)
    waiting = await run(request, request.app[CONTAINER].dialogue.pending, conversation_key(person))
    return await _page(request, person, replies=waiting)


async def ask_message(request: web.Request) -> web.StreamResponse:
    """POST /ask: a message (a question, or the answer to the ticket conversation's step)."""
    person = await signed_in(request)
    form = await request.post()
    text = str(form.get("text", ""))
    dialogue = request.app[CONTAINER].dialogue
    replies = await run(request, dialogue.message, conversation_key(person), person, text)
    return await _page(request, person, text.strip(), replies)


async def ask_button(request: web.Request) -> web.StreamResponse:
    """POST /ask/button: a pressed button (its data as the bot's button would send it)."""
    person = await signed_in(request)
    form = await request.post()
    data = str(form.get("data", ""))[:200]
    label = str(form.get("label", ""))[:MAX_LABEL]
    dialogue = request.app[CONTAINER].dialogue
    replies = await run(request, dialogue.action, conversation_key(person), person, data)
    return await _page(request, person, label, replies)


def setup(app: web.Application) -> None:
    """Register the page."""
    app.router.add_get("/ask", ask_page)
    app.router.add_post("/ask", ask_message)
    app.router.add_post("/ask/button", ask_button)
