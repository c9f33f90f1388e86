"""CPU time of process groups (a server and its workers, PostgreSQL backends of one database…).

Benchmarks on this shared machine print CPU milliseconds per unit of work next to the rate: the
rate moves with whatever else runs, the CPU a unit costs much less. Linux only (/proc).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, user seconds, system seconds) of a live process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    return int(fields[1]), int(fields[11]) / TICK, int(fields[12]) / TICK


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


def cpu_seconds(pids: Iterable[int], *, system_only: bool = False) -> float:
    """Summed user+system (or system only) CPU seconds of the processes still alive."""
    total = 0.0
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            total += st[2] if system_only else st[1] + st[2]
    return total


class CpuMeter:
    """CPU seconds per named group between `start` and `stop` (a process gone before `stop` is lost)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.pids: dict[str, list[int]] = {}
        self.before: dict[str, dict[int, tuple[float, float]]] = {}
        self.used: dict[str, float] = {}
        self.system: dict[str, float] = {}

    def _sample(self) -> dict[str, dict[int, tuple[float, float]]]:
        out: dict[str, dict[int, tuple[float, float]]] = {}
        for name, pids in self.pids.items():
            out[name] = {}
            for pid in pids:
                st = _stat(pid)
                if st is not None:
                    out[name][pid] = (st[1], st[2])
        return out

    def start(self) -> None:
        """Find each group's processes and remember their CPU time now."""
        self.pids = {name: find() for name, find in self.groups.items()}
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        """CPU seconds each group used since `start` (user + system; `system` keeps the latter)."""
        for name, find in self.groups.items():  # processes born since count from zero
            self.pids[name] = sorted(set(self.pids[name]) | set(find()))
        after = self._sample()
        self.used, self.system = {}, {}
        for name, pids in after.items():
            user = sys = 0.0
            for pid, (u, s) in pids.items():
                u0, s0 = self.before[name].get(pid, (0.0, 0.0))
                user, sys = user + u - u0, sys + s - s0
            self.used[name], self.system[name] = user + sys, sys
        return self.used

    def report(self, units: int, what: str) -> str:
        """One line: CPU ms per unit for each group (of which in the kernel) and in total."""
        parts = [
            f"{name} {1000 * sec / units:.2f} (sys {1000 * self.system[name] / units:.2f})"
            for name, sec in self.used.items()
        ]
        total = 1000 * sum(self.used.values()) / units
        return f"CPU ms per {what}: " + ", ".join(parts) + f"; total {total:.2f}"
