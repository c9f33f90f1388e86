"""Test support: calling the `helpdesk` command in-process and the HTTP API with a person's token."""

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp.test_utils import TestClient

from helpdesk.cli import main

ApiCall = Callable[..., Awaitable[tuple[int, Any]]]


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run `helpdesk ARGS…` in this process: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    """The single error line a failing command must print (never a traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def api_caller(client: TestClient, tokens: Mapping[str, str], *, never_500: bool = False) -> ApiCall:
    """`await call(method, path, who=login, body=…|raw=…, headers=…)` → (status, JSON or text)."""

    async def call(
        method: str,
        path: str,
        who: str | None = None,
        body: Any = None,
        raw: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        h = dict(headers or {})
        if who:
            h["Authorization"] = f"Bearer {tokens[who]}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:  # a raw body is a (possibly broken) JSON body unless headers say otherwise
            h.setdefault("Content-Type", "application/json")
        resp = await client.request(method, path, data=data, headers=h)
        text = await resp.text()
        if never_500:
            assert resp.status != 500, text
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    return call
