"""The aiohttp transport under python-telegram-bot: JSON bodies (values as JSON, not form fields of
JSON strings), our Html text and PTB's enums encoded as plain values, answers decoded leniently."""

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application

from helpdesk.adapters.telegram.http import AiohttpRequest
from helpdesk.services.texts import Html


async def test_a_typed_call_goes_out_as_one_json_document() -> None:
    seen: list[tuple[str, bytes]] = []

    async def api(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.read()))
        message = {"message_id": 1, "date": 0, "chat": {"id": 70001, "type": "private"}, "text": "x"}
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api)
    async with TestServer(app) as server:
        bot = (
            Application.builder()
            .token("123:ABC")
            .base_url(str(server.make_url("/bot")))
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest())
            .updater(None)
            .build()
        )
        await bot.bot.request.initialize()
        try:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Pomogło", callback_data="fb:1:1")]])
            sent = await bot.bot.send_message(
                70001, Html("<b>Zażółć</b>"), parse_mode="HTML", reply_markup=markup
            )
            assert sent.chat_id == 70001
            raw = await bot.bot.do_api_request(
                "sendMessage", api_kwargs={"chat_id": 70001, "text": Html("x")}
            )
            assert raw["chat"]["id"] == 70001
        finally:
            await bot.bot.request.shutdown()
    content_type, body = seen[0]
    assert content_type == "application/json"
    assert json.loads(body) == {
        "chat_id": 70001,
        "text": "<b>Zażółć</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Pomogło", "callback_data": "fb:1:1"}]]},
    }
    assert json.loads(seen[1][1]) == {"chat_id": 70001, "text": "x"}


def test_answers_are_decoded_with_ptbs_leniency_for_bad_bytes() -> None:
    assert AiohttpRequest.parse_json_payload(b'{"ok": true, "result": [1, "\xc5\x82"]}') == {
        "ok": True,
        "result": [1, "ł"],
    }
    assert AiohttpRequest.parse_json_payload(b'{"ok": true, "result": "\xff"}') == {
        "ok": True,
        "result": "\ufffd",
    }
    with pytest.raises(TelegramError):
        AiohttpRequest.parse_json_payload(b"<html>502</html>")
