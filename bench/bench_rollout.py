"""The rollout's reads at the region's real size: 314 offices (36 powiaty, 278 gminy) each with a
representative, two leaders, five officials, a five-step plan with some waiting on the office, and
EZD trainings for most leaders. Times the registry (`GET /api/v1/offices`), one profile, the
regional plan (`GET /api/v1/rollout`) and its XLSX export, and the coverage, on SQLite. Prints
figures; not a test.

Usage: .venv/bin/python bench/bench_rollout.py [--offices N]
"""

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.world import make_container  # noqa: E402

from helpdesk.domain.offices import Office, OfficeType  # noqa: E402
from helpdesk.services.rollout.files import schedule_xlsx  # noqa: E402

KINDS = ("gotowosc", "liderzy_przeszkoleni", "prezentacja", "esb_podlaczona", "ezd_produkcja")


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<42} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=314)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    container = make_container(f"sqlite:///{folder}/bench.db")
    people, rollout = container.people, container.rollout
    now = container.clock.now()
    today = rollout.today()
    offices = [
        Office(f"14{i:05d}", f"Urząd nr {i}", OfficeType.GMINA_WIEJSKA, 50, ("EZD", "ESB", "EPUAP"), 3)
        for i in range(args.offices)
    ]
    people.import_offices(offices)
    coordinator = people.add_person(login="koordynator", name="K", role="coordinator", now=now)
    start = time.perf_counter()
    for trainings in (("el", "elearning"), ("in", "instruktaz")):
        rollout.put_training(
            coordinator,
            {"id": f"ezd-{trainings[0]}", "kind": trainings[1], "component": "EZD", "held_on": "2026-01-10"},
        )
    rows = ["training,login"]
    for n, office in enumerate(offices):
        code = office.code
        people.add_person(login=f"p{code}", name="P", role="representative", now=now, jst=code)
        for k in range(2):
            people.add_person(login=f"l{k}{code}", name="L", role="leader", now=now, jst=code)
            rows.append(f"ezd-el,l{k}{code}")
            if n % 3:
                rows.append(f"ezd-in,l{k}{code}")
        for k in range(5):
            people.add_person(login=f"u{k}{code}", name="U", role="official", now=now, jst=code)
        for step, kind in enumerate(KINDS):
            planned = today + timedelta(days=60 * step - 150 + n % 30)
            done = planned if planned < today - timedelta(days=20) else None
            rollout.set_milestone(
                coordinator,
                code,
                kind,
                {"planned": planned.isoformat(), "done": done.isoformat() if done else None},
            )
        if n % 7 == 0:
            rollout.start_wait(
                coordinator, code, "esb_podlaczona", {"reason": "dane", "start": today.isoformat()}
            )
    rollout.import_attendance(coordinator, "\n".join(rows) + "\n")
    print(
        f"set-up: {args.offices} offices, {len(offices) * 8} people, {len(offices) * 5} milestones "
        f"in {time.perf_counter() - start:.1f} s"
    )
    timed("registry (offices)", lambda: rollout.offices(coordinator))
    timed("one office's profile", lambda: rollout.office(coordinator, offices[0].code))
    plan = timed("regional plan (rollout)", lambda: rollout.rollout(coordinator))
    timed("regional plan as XLSX", lambda: schedule_xlsx(plan))
    timed("coverage", lambda: rollout.coverage(coordinator))
    totals = plan["totals"]
    print(
        f"late offices: {totals['late']} (office's side {totals['late_due_to_office']}), as of {date.today()}"
    )
    container.close()


if __name__ == "__main__":
    main()
