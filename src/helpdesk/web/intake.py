"""New tickets of concurrent API requests handed to the database a batch at a time.

`POST /api/v1/tickets` is the write a Monday-morning burst is made of. Handing each request to the
thread pool on its own costs two thread switches, its own token lookup and a place in the group
commit's queue per ticket; on two cores shared by four workers and PostgreSQL that hand-over is
a good part of a ticket's cost. Here the event loop keeps the requests that arrive while earlier
ones are being written and hands them over together: one trip to the pool, one statement looking
up every token of the batch (`PeopleService.by_tokens`), their tickets queued side by side in the
group commit (`TicketService.create_each`), usually one transaction.

Nothing changes for a single request: alone, it is handed over at once. Every request still
gets its own outcome (a refused token, a forbidden role or a bad field answers that request
alone), and nobody is answered before the commit that holds their ticket.
"""

import asyncio
from concurrent.futures import Executor
from typing import Any

from helpdesk.domain.people import Person
from helpdesk.services.people import PeopleService
from helpdesk.services.ports import Clock
from helpdesk.services.tickets import NewTicket, TicketService

# Batches of one worker in the pool at once. One: while it waits for the chain head's lock and is
# written, the next batch gathers. With two or three, batches were smaller and the lock, which
# every worker's batch takes in turn, was taken more often (bench/bench_workers.py, 4 workers:
# ~1,950 tickets/s with one, ~1,670 with two, ~1,620 with three).
IN_FLIGHT = 1

Created = tuple[Person, dict[str, Any]]


class TicketIntake:
    """Batches the ticket creations of one worker's concurrent requests (see the module docstring)."""

    def __init__(
        self, people: PeopleService, tickets: TicketService, clock: Clock, executor: Executor
    ) -> None:
        self.people = people
        self.tickets = tickets
        self.clock = clock
        self.executor = executor
        self._waiting: list[tuple[str, NewTicket, asyncio.Future[Created]]] = []
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def create(self, token: str, new: NewTicket) -> Created:
        """The person behind `token` and the ticket they opened (NotAuthenticated, Forbidden,
        InvalidInput, Unavailable… as `PeopleService.by_token` and `TicketService.create` raise)."""
        future: asyncio.Future[Created] = asyncio.get_running_loop().create_future()
        self._waiting.append((token, new, future))
        self._hand_over()
        return await future

    def _hand_over(self) -> None:
        if not self._waiting or self._in_flight >= IN_FLIGHT:
            return
        batch, self._waiting = self._waiting, []
        self._in_flight += 1
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[str, NewTicket, "asyncio.Future[Created]"]]) -> None:
        items = [(token, new) for token, new, _ in batch]
        outcomes: list[Created | Exception]
        try:
            outcomes = await asyncio.get_running_loop().run_in_executor(self.executor, self._work, items)
        except Exception as err:  # the batch as a whole failed (a bug, or the pool shut down)
            outcomes = [err] * len(batch)
        finally:
            self._in_flight -= 1
        for (_, _, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its request was cancelled (the client went away)
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._hand_over()

    def _work(self, items: list[tuple[str, NewTicket]]) -> list[Created | Exception]:
        """In a pool thread: every token looked up at once, then every ticket of a known person."""
        people = self.people.by_tokens([token for token, _ in items], self.clock.now())
        allowed = [(i, person) for i, person in enumerate(people) if isinstance(person, Person)]
        created = self.tickets.create_each([(person, items[i][1]) for i, person in allowed])
        out: dict[int, Created | Exception] = {
            i: refused for i, refused in enumerate(people) if isinstance(refused, Exception)
        }
        for (i, person), ticket in zip(allowed, created, strict=True):
            out[i] = ticket if isinstance(ticket, Exception) else (person, ticket)
        return [out[i] for i in range(len(items))]
