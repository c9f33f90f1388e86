"""SQLite readers: every thread the server runs database work in keeps its pooled connection.

A reader beyond the read pool would open a connection, set it up (journal mode, foreign keys,
cache size) and close it again for every request; with the server's threads all reading at once,
the second round of reads must open nothing new.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import event, text

from helpdesk.adapters.db.store import SqlDatabase


def test_as_many_concurrent_readers_as_server_threads_reuse_their_connections(tmp_path: Path) -> None:
    db = SqlDatabase(f"sqlite:///{tmp_path}/readers.db")
    opened: list[object] = []
    event.listen(db.read_engine, "connect", lambda conn, _record: opened.append(conn))
    all_in = threading.Barrier(db.workers, timeout=30)

    def read(_: int) -> int:
        def inside(tx: object) -> int:
            all_in.wait()  # every thread holds a connection at the same time
            return int(tx.conn.execute(text("SELECT 1")).scalar_one())  # type: ignore[attr-defined]

        return db.read(inside)

    try:
        with ThreadPoolExecutor(max_workers=db.workers) as threads:
            assert sum(threads.map(read, range(db.workers))) == db.workers
            first_round = len(opened)
            assert sum(threads.map(read, range(db.workers))) == db.workers
        assert first_round == db.workers
        assert len(opened) == first_round, "readers beyond the pool opened new connections"
    finally:
        db.read_engine.dispose()
        db.engine.dispose()
