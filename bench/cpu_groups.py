"""CPU time of process groups (a server and its workers, PostgreSQL backends of one database…).

Benchmarks on this shared machine print CPU milliseconds per unit of work next to the rate: the
rate moves with whatever else runs, the CPU a unit costs much less. Linux only (/proc).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime+stime in seconds) of a live process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def all_pids() -> list[int]:
    """Every process id visible now."""
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def tree(root: int) -> list[int]:
    """`root` and all its descendants."""
    parents: dict[int, list[int]] = {}
    for pid in all_pids():
        st = _stat(pid)
        if st is not None:
            parents.setdefault(st[0], []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def matching(word: str) -> list[int]:
    """Processes whose command line contains `word` (PostgreSQL backends show their database)."""
    return [pid for pid in all_pids() if word in _cmdline(pid)]


def cpu_seconds(pids: Iterable[int]) -> float:
    """Summed user+system CPU seconds of the processes still alive."""
    total = 0.0
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            total += st[1]
    return total


class CpuMeter:
    """CPU seconds per named group between `start` and `stop` (groups re-resolved at each)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.before: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        return {name: {pid: cpu_seconds([pid]) for pid in find()} for name, find in self.groups.items()}

    def start(self) -> None:
        """Remember each process's CPU time now."""
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        """CPU seconds each group used since `start` (a process born since counts from zero)."""
        after = self._sample()
        self.used = {
            name: sum(t - self.before.get(name, {}).get(pid, 0.0) for pid, t in pids.items())
            for name, pids in after.items()
        }
        return self.used

    def report(self, units: int, what: str) -> str:
        """One line: CPU ms per unit for each group and in total."""
        parts = [f"{name} {1000 * sec / units:.2f}" for name, sec in self.used.items()]
        total = 1000 * sum(self.used.values()) / units
        return f"CPU ms per {what}: " + ", ".join(parts) + f"; total {total:.2f}"
