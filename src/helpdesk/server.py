"""`helpdesk serve`: one event loop running the web server and the background resources until a signal.

What runs beside the web pages, and in which order it starts and stops, is helpdesk/lifecycle.py.
With `--workers N` (N > 1) this process only supervises: it starts N worker processes that all
listen on HELPDESK_HTTP (SO_REUSEPORT: the kernel spreads connections among them), restarts one
that dies, and passes SIGTERM/SIGINT on. The singletons run in whichever worker holds their lease.
"""

import asyncio
import gc
import json
import logging
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from helpdesk.bootstrap import Container
from helpdesk.domain.errors import describe_os_error
from helpdesk.lifecycle import Role, running
from helpdesk.settings import Settings, SettingsError

log = logging.getLogger("helpdesk.server")
RESTART_PAUSE = 1.0  # seconds before a worker that died is started again
WORKER_STOP_TIMEOUT = 20.0  # seconds the supervisor waits for its workers after passing a signal on


async def run_server(
    container: Container, stop: asyncio.Event, role: Role = Role.ALL, *, reuse_port: bool = False
) -> None:
    """Serve HTTP with the background resources of `role` running; stop them all when `stop` is set."""
    host, port = container.settings.http_host_port
    try:
        async with running(container, role) as runner:
            site = web.TCPSite(runner, host, port, reuse_address=True, reuse_port=reuse_port or None)
            await site.start()
            log.warning("helpdesk: serwer WWW i API na http://%s:%s (rola: %s)", host, port, role.value)
            # Build the knowledge-base index now (morphology included, a second or two) rather
            # than on the first official's question.
            try:
                await asyncio.get_running_loop().run_in_executor(container.executor, container.kb.matcher)
            except Exception:
                log.exception("the knowledge-base index could not be built at start; it will be on first use")
            settle_heap()
            try:
                await stop.wait()
            finally:
                gc.unfreeze()  # what start-up built may go once the server stops (tests start many)
            log.warning("helpdesk: zatrzymywanie…")
    except OSError as err:
        # An address already taken (HTTP or SMTP) is a set-up problem: one line, no traceback.
        raise SettingsError(f"nie można uruchomić serwera: {describe_os_error(err)}") from err


def settle_heap() -> None:
    """Keep what start-up built (modules, templates, the knowledge-base index, pools) out of the
    garbage collector's full passes.

    Those objects live as long as the process, yet every full collection walked all of them: with
    a page that allocates a few thousand objects (the region overview) one request in fifty paid
    ~80 ms of collection on a busy machine — the whole p99. Collected once, then frozen, the full
    passes walk only what requests create."""
    gc.collect()
    gc.freeze()


class JsonFormatter(logging.Formatter):
    """One JSON object per record (HELPDESK_LOG_FORMAT=json), for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info and record.exc_info[0] is not None:
            data["exc"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    """The server's log level and format (text or JSON lines) from the settings."""
    logging.getLogger("helpdesk").setLevel(settings.log_level.upper())
    if settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())


def serve(container: Container, role: Role = Role.ALL, *, reuse_port: bool = False) -> int:
    """Run until SIGINT/SIGTERM; exit code 0 after a clean stop."""
    configure_logging(container.settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_server(container, stop, role, reuse_port=reuse_port)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(main())
    return 0


def supervise(settings: Settings, workers: int, role: Role) -> int:
    """Run `workers` worker processes on HELPDESK_HTTP until SIGINT/SIGTERM; restart one that dies."""
    configure_logging(settings)
    stopping = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    command = [
        sys.executable,
        "-m",
        "helpdesk",
        "serve",
        "--workers",
        "1",
        "--role",
        role.value,
        "--reuse-port",
    ]
    procs: list[subprocess.Popen[bytes]] = [subprocess.Popen(command) for _ in range(workers)]
    log.warning("helpdesk: %d procesów roboczych na %s (rola: %s)", workers, settings.http, role.value)
    while not stopping:
        time.sleep(0.2)
        for i, proc in enumerate(procs):
            if proc.poll() is not None and not stopping:
                log.warning(
                    "worker %d (pid %d) ended with %s; starting it again", i, proc.pid, proc.returncode
                )
                time.sleep(RESTART_PAUSE)
                procs[i] = subprocess.Popen(command)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_TIMEOUT
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("worker pid %d did not stop in time; killed", proc.pid)
            proc.kill()
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when installed (it roughly halves the HTTP overhead), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
