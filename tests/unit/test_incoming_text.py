"""Which webhook updates the bot answers straight from their JSON (`plain_text`): exactly those PTB
would route to `on_text` — a new private text message from a user that is no bot command — with
the fields that handler reads; everything else is left to PTB."""

from typing import Any

from helpdesk.adapters.telegram.incoming import IncomingText, plain_text


def update(**message: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message_id": 500_001,
        "date": 0,
        "from": {"id": 70001, "is_bot": False, "first_name": "Anna"},
        "chat": {"id": 70001, "type": "private"},
        "text": "Nie pamiętam hasła do EZD",
    }
    base.update(message)
    return {"update_id": 1001, "message": {k: v for k, v in base.items() if v is not None}}


def test_a_private_question_is_read_with_the_fields_the_handler_needs() -> None:
    assert plain_text(update()) == IncomingText(
        1001, 70001, 70001, 500_001, "Nie pamiętam hasła do EZD", None
    )


def test_a_reply_to_the_bots_message_about_a_ticket_names_that_ticket() -> None:
    bot_message = {"message_id": 9, "date": 0, "from": {"id": 1, "is_bot": True}, "text": "Zgłoszenie T-42 …"}
    found = plain_text(update(reply_to_message=bot_message))
    assert found is not None and found.reply_to_ticket == "T-000042"
    # A reply to a person's message (or one without an author) is no thread reply.
    human = {**bot_message, "from": {"id": 2, "is_bot": False}}
    assert plain_text(update(reply_to_message=human)).reply_to_ticket is None  # type: ignore[union-attr]
    caption = {"message_id": 9, "date": 0, "from": {"id": 1, "is_bot": True}, "caption": "T-7 zdjęcie"}
    assert plain_text(update(reply_to_message=caption)).reply_to_ticket == "T-000007"  # type: ignore[union-attr]


def test_a_text_starting_with_a_slash_but_no_command_entity_is_a_question_as_for_ptb() -> None:
    assert plain_text(update(text="/ścieżka do pliku")) is not None
    link = [{"type": "url", "offset": 0, "length": 5}]
    assert plain_text(update(entities=link)) is not None


def test_commands_edits_groups_buttons_files_and_odd_shapes_are_left_to_ptb() -> None:
    command = [{"type": "bot_command", "offset": 0, "length": 6}]
    assert plain_text(update(text="/moje", entities=command)) is None
    assert plain_text(update(chat={"id": -5, "type": "group"})) is None
    assert plain_text(update(text=None, photo=[{"file_id": "x"}])) is None
    assert plain_text(update(text="")) is None
    assert plain_text(update(**{"from": None})) is None
    edited = update()
    edited["edited_message"] = edited.pop("message")
    assert plain_text(edited) is None
    assert plain_text({"update_id": 1, "callback_query": {"id": "1", "data": "fb:1:1"}}) is None
    assert plain_text({**update(), "callback_query": {}}) is None  # two kinds at once: PTB decides
    assert plain_text(update(chat={"id": True, "type": "private"})) is None  # a bool is no id
    assert plain_text({"update_id": "1001", "message": update()["message"]}) is None
    assert plain_text(update(entities="bot_command")) is None
    assert plain_text([update()]) is None
