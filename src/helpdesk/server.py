"""`helpdesk serve`: one event loop running the web server and the background parts until a signal."""

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

from helpdesk.bootstrap import Container
from helpdesk.web.app import create_app

log = logging.getLogger("helpdesk.server")

Part = Callable[[Container], Awaitable[Callable[[], Awaitable[None]]]]
"""A background part: started with the container, returns its async stop function."""


async def run_server(container: Container, stop: asyncio.Event) -> None:
    """Start the HTTP server and every registered part; stop them all when `stop` is set."""
    app = create_app(container)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    host, port = container.settings.http_host_port
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    log.warning("helpdesk: serwer WWW i API na http://%s:%s", host, port)
    stoppers: list[Callable[[], Awaitable[None]]] = []
    try:
        # Build the knowledge-base index now (morphology included, a second or two) rather than
        # on the first official's question.
        try:
            await asyncio.get_running_loop().run_in_executor(container.executor, container.kb.matcher)
        except Exception:
            log.exception("the knowledge-base index could not be built at start; it will be on first use")
        for part in container.extras.get("parts", []):
            stoppers.append(await part(container))
        await stop.wait()
    finally:
        log.warning("helpdesk: zatrzymywanie…")
        for stopper in reversed(stoppers):
            try:
                await asyncio.wait_for(stopper(), timeout=5)
            except Exception:
                log.exception("a part did not stop cleanly")
        await runner.cleanup()


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
