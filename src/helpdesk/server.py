"""`helpdesk serve`: one event loop running the web server and the background resources until a signal.

What runs beside the web pages, and in which order it starts and stops, is helpdesk/lifecycle.py.
"""

import asyncio
import logging
import signal
from collections.abc import Callable

from aiohttp import web

from helpdesk.bootstrap import Container
from helpdesk.lifecycle import running
from helpdesk.settings import SettingsError

log = logging.getLogger("helpdesk.server")


async def run_server(container: Container, stop: asyncio.Event) -> None:
    """Serve HTTP with every background resource running; stop them all when `stop` is set."""
    host, port = container.settings.http_host_port
    try:
        async with running(container) as runner:
            site = web.TCPSite(runner, host, port, reuse_address=True)
            await site.start()
            log.warning("helpdesk: serwer WWW i API na http://%s:%s", host, port)
            # Build the knowledge-base index now (morphology included, a second or two) rather
            # than on the first official's question.
            try:
                await asyncio.get_running_loop().run_in_executor(container.executor, container.kb.matcher)
            except Exception:
                log.exception("the knowledge-base index could not be built at start; it will be on first use")
            await stop.wait()
            log.warning("helpdesk: zatrzymywanie…")
    except OSError as err:
        # An address already taken (HTTP or SMTP) is a set-up problem: one line, no traceback.
        raise SettingsError(f"nie można uruchomić serwera: {err.strerror or err}") from err


def serve(container: Container) -> int:
    """Run until SIGINT/SIGTERM; exit code 0 after a clean stop."""
    logging.getLogger("helpdesk").setLevel(container.settings.log_level.upper())

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_server(container, stop)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(main())
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when installed (it roughly halves the HTTP overhead), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
