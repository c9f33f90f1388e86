"""Reading a webhook update once: the plain private text messages, without python-telegram-bot objects.

Most of what officials send is a question typed into the private chat. PTB would build an
`Update` with its `Message`, `User` and `Chat` objects, then run it through its handler groups
and filters, only for the bot to read five fields; in py-spy that was a fifth of a webhook
message's CPU. So the webhook decodes the JSON once (msgspec) and `plain_text` picks out exactly
the updates PTB would hand to `TelegramBot.on_text` — a new message (not an edit) in a private
chat, from a user, with text, not starting with a bot command — together with the fields that
handler reads. Everything else (commands, buttons, files, edits, groups) goes through PTB as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpdesk.services.intake.dialogue import ticket_id_in


@dataclass(frozen=True, slots=True)
class IncomingText:
    """A plain text message in a private chat: what `TelegramBot.on_text` needs of it."""

    update_id: int
    chat_id: int
    user_id: int
    message_id: int
    text: str
    reply_to_ticket: str | None


def _int(value: object) -> int | None:
    # bool is an int to Python, never an id to Telegram.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def plain_text(data: Any) -> IncomingText | None:
    """The plain private text message in a decoded update, or None when PTB should handle it."""
    if not isinstance(data, dict) or len(data) != 2:  # update_id and exactly one kind of update
        return None
    update_id, message = _int(data.get("update_id")), data.get("message")
    if update_id is None or not isinstance(message, dict):
        return None
    chat, sender, text = message.get("chat"), message.get("from"), message.get("text")
    if not (isinstance(chat, dict) and isinstance(sender, dict) and isinstance(text, str) and text):
        return None
    chat_id, user_id, message_id = (
        _int(chat.get("id")),
        _int(sender.get("id")),
        _int(message.get("message_id")),
    )
    if chat_id is None or user_id is None or message_id is None or chat.get("type") != "private":
        return None
    entities = message.get("entities")
    if entities:  # PTB's filters.COMMAND: the first entity is a bot command at offset 0
        first = entities[0] if isinstance(entities, list) else None
        if not isinstance(first, dict) or (first.get("type") == "bot_command" and first.get("offset") == 0):
            return None
    return IncomingText(update_id, chat_id, user_id, message_id, text, _replied_ticket(message))


def _replied_ticket(message: dict[str, Any]) -> str | None:
    """The ticket id of the bot message this one replies to (its thread), as bot._replied_ticket."""
    replied = message.get("reply_to_message")
    if not isinstance(replied, dict):
        return None
    author = replied.get("from")
    if not isinstance(author, dict) or author.get("is_bot") is not True:
        return None
    text = replied.get("text") or replied.get("caption")
    return ticket_id_in(text) if isinstance(text, str) else None
