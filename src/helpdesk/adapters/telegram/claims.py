"""Each Telegram update is processed once: it is claimed by `update_id` in the database first.

Telegram delivers an update again after a crash (long polling restarts from the last offset it
was told about) and retries a webhook call that timed out; both would otherwise answer a question
twice or open a ticket twice. So an update is claimed before any handler sees it; one already
processed, or being processed by a live worker, is dropped. Claims that arrive together (a
getUpdates batch, a burst of webhook calls) share one transaction, and the marks that updates
were processed are written in batches too (`flush_done`), off the path of the reply.

In webhook mode an update is first stored as received (`store`), before the webhook answers 200:
should the worker die before processing it, Telegram will not send it again, but the stored copy
is processed by the worker running the singletons (helpdesk/lifecycle.py, `telegram-replay`).
Stores arriving together share one write as well. The stored row is this worker's claim at once
(its owner id), so the update needs no second write to be claimed: `claim` of an update this
worker stored answers from memory. An update stored before (a redelivery) is not this worker's to
process: either it was processed, or another worker holds it, or its worker died and the replay
takes it once the claim is stale — so a retry reaching a second worker while the first is still
busy cannot answer the question twice.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TypeVar

from helpdesk.domain.errors import HelpdeskError
from helpdesk.services.ports import Clock, Database, TelegramRepo

T = TypeVar("T")
log = logging.getLogger("helpdesk.telegram")
DONE_DELAY = 0.2  # seconds the processed marks wait to be written together, off the reply's path


class UpdateClaims:
    """Claims of one bot process, batched; the owner id tells this worker's claims from others'."""

    def __init__(self, db: Database[TelegramRepo], clock: Clock, executor: Executor) -> None:
        self.db = db
        self.clock = clock
        self.executor = executor
        self.owner = uuid.uuid4().hex[:16]
        self.pending: list[tuple[int, asyncio.Future[bool]]] = []
        self.to_store: list[tuple[int, str, asyncio.Future[bool]]] = []
        self.done: list[int] = []
        self.held: set[int] = set()  # stored (so claimed) by this worker, not yet handed to a handler
        self._flush_due = False  # a write of the processed marks is scheduled
        self._tasks: set[asyncio.Task[None]] = set()

    async def store(self, update_id: int, payload: str) -> bool:
        """Store a webhook update as received and claimed by this worker; False when it was seen before."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self.to_store.append((update_id, payload, future))
        if len(self.to_store) == 1:
            loop.call_soon(lambda: asyncio.ensure_future(self._flush_stores()))
        return await future

    async def _flush_stores(self) -> None:
        batch, self.to_store = self.to_store, []
        if not batch:
            return
        now = self.clock.now()
        updates = [(update_id, payload) for update_id, payload, _ in batch]
        try:
            stored = await self._write(lambda tx: tx.tg_store_updates(updates, now, self.owner))
        except Exception as err:
            for *_, future in batch:
                if not future.done():
                    future.set_exception(err)
            return
        self.held |= stored
        for update_id, _, future in batch:
            if not future.done():
                future.set_result(update_id in stored)
                stored.discard(update_id)

    async def claim(self, update_id: int) -> bool:
        """Claim one update; False when it was seen already. Claims arriving together share one write."""
        if self.take(update_id):  # stored by this worker's webhook: claimed with that write
            return True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self.pending.append((update_id, future))
        if len(self.pending) == 1:
            loop.call_soon(lambda: asyncio.ensure_future(self._flush_claims()))
        return await future

    async def _flush_claims(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        now = self.clock.now()
        ids = [update_id for update_id, _ in batch]
        try:
            claimed = await self._write(lambda tx: tx.tg_claim_updates(ids, now, self.owner))
        except Exception as err:
            for _, future in batch:
                if not future.done():
                    future.set_exception(err)
            return
        for update_id, future in batch:
            if not future.done():
                future.set_result(update_id in claimed)
                claimed.discard(update_id)  # the same id twice in one batch: only the first runs

    def take(self, update_id: int) -> bool:
        """Take over the claim of an update this worker stored (no write needed); False otherwise."""
        if update_id in self.held:
            self.held.discard(update_id)
            return True
        return False

    def processed(self, update_id: int) -> None:
        """Remember that the update was handled; written within DONE_DELAY, together with others.

        Each bot writes its own marks: in webhook mode a worker that does not hold the singletons
        runs no outbox sender, and a mark never written would let the replay (after STALE_CLAIM)
        answer the update a second time.
        """
        self.done.append(update_id)
        if self._flush_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a blocking caller): the next flush_done writes it
            return
        self._flush_due = True
        loop.call_later(DONE_DELAY, self._flush_soon)

    def _flush_soon(self) -> None:
        task = asyncio.ensure_future(self._flush_logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_logged(self) -> None:
        try:
            await self.flush_done()
        except Exception:  # kept for the next flush; the reply was sent, so nothing else to undo
            log.exception("telegram: writing processed-update marks failed")

    async def flush_done(self) -> None:
        """Mark the handled updates in the database; kept for the next flush if that fails."""
        self._flush_due = False
        if not self.done:
            return
        ids, self.done = self.done, []
        now = self.clock.now()
        try:
            await self._write(lambda tx: tx.tg_updates_done(ids, now))
        except HelpdeskError:
            self.done[:0] = ids

    async def _write(self, fn: Callable[[TelegramRepo], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: self.db.write(fn))
