"""Concurrent writers: no lost or doubled ticket numbers, no forked hash chain (SQLite and PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

from helpdesk.domain.events import verify_chain
from helpdesk.services.tickets import NewTicket
from tests.support.world import populate


def test_parallel_creations_and_actions_keep_numbers_and_chain_whole(any_container):
    container = any_container
    people = populate(container)
    official, leader = people["urz.plock"], people["lider.plock"]

    def burst(worker: int) -> list[str]:
        ids = []
        for i in range(25):
            t = container.tickets.create(official, NewTicket(f"Zgłoszenie {worker}-{i}", "opis", "EZD"))
            container.tickets.act(leader, t["id"], "comment", text=f"komentarz {worker}-{i}")
            ids.append(t["id"])
        return ids

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = [tid for chunk in pool.map(burst, range(8)) for tid in chunk]
    numbers = sorted(int(tid[2:]) for tid in ids)
    assert numbers == list(range(1, 201))
    count, broken = container.db.read(lambda tx: verify_chain(tx.iter_log()))
    assert broken is None and count == 400
    assert container.db.read(lambda tx: tx.head())[1] == 400
