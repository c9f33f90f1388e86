"""`make mutation`'s summary: the kill rate per package and the surviving mutants, from mutmut's
results in `mutants/` (mutmut 3 keeps one `<file>.meta` JSON per mutated file there).

Killed counts the mutants some test failed on, timeouts included (a mutant that makes the code loop
is caught); a mutant no selected test reaches counts as surviving. The kill rate is over the
mutants that were run (`unrun`: not yet, e.g. after `MUTANTS=…`).

Functions that run only while their module loads (`LOAD_TIME`, building module data such as the
permission table) cannot be seen mutated: mutmut 3 switches a mutant on in a process that has
already imported the module. Their mutants are listed apart and left out of the rate; what they
build is checked by the tests against the written rules (README "Kto może co").

`python bench/mutation_report.py --open domain/` prints the names of the mutants there that are
not killed yet (unrun, surviving, reached by no test), for `make mutation MUTANTS="$(...)"`.

Survivors listed in tests/fixtures/equivalent_mutants.md (reviewed: no behaviour can differ) are
printed apart as `equivalent` and left out of the rate's denominator; a survivor not in that list
is a missing test or a new equivalent to review.

Figures are printed, never asserted: the 90 % aim for `domain/` is for people to keep, not a gate of
`make test`.
"""

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "tests" / "fixtures" / "equivalent_mutants.md"
PREFIX = "src/helpdesk/"
KILLED = {1, 3, 24, 36, 37, 152, 255, -24}  # mutmut 3: killed, pytest error, timeouts, type check
SURVIVED = {0}
NO_TESTS = {5, 33}
LOAD_TIME = ("helpdesk.domain.tickets.x__rule__",)
# The packages the report speaks of, most specific first.
PACKAGES = (
    "domain/kb/",
    "domain/",
    "services/tickets.py",
    "services/sla/",
    "services/intake/",
    "services/notify/outbox.py",
)


def package_of(path: str) -> str:
    return next((p for p in PACKAGES if path.startswith(p)), "other")


def equivalent_names(text: str) -> set[str]:
    """The full mutant names the reviewed list declares equivalent.

    The list is markdown: `## domain/sla.py` sections, then table rows whose first cell holds
    names in backticks — `x_f__mutmut_8`, then `_10` for another of the same function, `_185` …
    `_189` for a run of them; `kb.article.x_f__mutmut_5` names a module below the section's
    package. Reading stops at the section of survivors left open (not equivalent).
    """
    names: set[str] = set()
    package = ""
    for line in text.splitlines():
        if line.startswith("## "):
            if "not equivalent" in line:
                break
            path = line[3:].split(",")[0].strip()
            package = "helpdesk." + path.removesuffix(".py").replace("/", ".")
            if not path.endswith(".py"):  # a section of several modules: names carry theirs
                package = "helpdesk." + path.split("/")[0]
            continue
        if not line.startswith("| `"):
            continue
        cell = line.split("|")[1]
        base = ""
        previous = -1
        for token in re.findall(r"`([^`]+)`|(…)", cell):
            name, ellipsis = token
            if ellipsis:
                previous = -previous - 2  # the next number closes a run
                continue
            if name.startswith("_") and base:
                number = int(name[1:])
                start = -previous - 1 if previous < -1 else number
                for n in range(start, number + 1):
                    names.add(f"{base}{n}")
                previous = number
                continue
            module, _, function = name.rpartition(".")
            full = f"{package}.{module}.{function}" if module else f"{package}.{function}"
            base, _, number_text = full.rpartition("__mutmut_")
            base += "__mutmut_"
            previous = int(number_text)
            names.add(full)
    return names


def open_names(prefix: str) -> list[str]:
    """The mutants under `prefix` (a path below src/helpdesk/) not yet killed: unrun, surviving or
    reached by no test. Given to `make mutation MUTANTS=...` they run again, and only they: with
    names mutmut reruns every mutant it is given, so a bare package pattern would redo the killed ones.
    """
    names: list[str] = []
    for meta in sorted(MUTANTS.glob("src/helpdesk/**/*.py.meta")):
        path = str(meta.relative_to(MUTANTS))[len(PREFIX) : -len(".meta")]
        if not path.startswith(prefix):
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in sorted(data.get("exit_code_by_key", {}).items()):
            if not name.startswith(LOAD_TIME) and (code is None or code in SURVIVED | NO_TESTS):
                names.append(name)
    return names


def main() -> int:
    metas = sorted(MUTANTS.glob("src/helpdesk/**/*.py.meta"))
    if not metas:
        print("no mutmut results in mutants/: run `make mutation` first", file=sys.stderr)
        return 1
    if len(sys.argv) == 3 and sys.argv[1] == "--open":
        print("\n".join(open_names(sys.argv[2])))
        return 0
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_file: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    survivors: list[str] = []
    equivalent: list[str] = []
    reviewed = equivalent_names(EQUIVALENT.read_text(encoding="utf-8")) if EQUIVALENT.exists() else set()
    load_time: list[str] = []
    for meta in metas:
        path = str(meta.relative_to(MUTANTS))[len(PREFIX) : -len(".meta")]
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in sorted(data.get("exit_code_by_key", {}).items()):
            package = package_of(path)
            if name.startswith(LOAD_TIME):
                load_time.append(f"{path}: {name} (exit {code})")
                continue
            if code is None:
                kind = "not_checked"
            elif code in KILLED:
                kind = "killed"
            elif code in SURVIVED and name in reviewed:
                kind = "equivalent"
                equivalent.append(f"{path}: {name}")
            elif code in SURVIVED:
                kind = "survived"
                survivors.append(f"{path}: {name}")
            elif code in NO_TESTS:
                kind = "no_tests"
                survivors.append(f"{path}: {name} (no test reaches it)")
            else:
                kind = "other"
                survivors.append(f"{path}: {name} (exit {code})")
            counts[package][kind] += 1
            by_file[path][kind] += 1
            counts["domain/ (all)" if package.startswith("domain/") else "services (all)"][kind] += 1

    print(f"surviving mutants ({len(survivors)}; `mutmut show NAME` shows one):")
    for line in survivors:
        print("  " + line)
    if equivalent:
        print(
            f"surviving but equivalent ({len(equivalent)}; reviewed in tests/fixtures/equivalent_mutants.md)"
        )
    if load_time:
        print(f"run only while the module loads, not counted ({len(load_time)}):")
        for line in load_time:
            print("  " + line)
    print()
    rows = [(path, by_file[path]) for path in sorted(by_file)]
    rows += [(package, counts[package]) for package in (*PACKAGES, "domain/ (all)", "services (all)")]
    print(
        f"{'file / package':28} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} "
        f"{'equiv.':>7} {'unrun':>6} {'kill rate':>10}"
    )
    for package, c in rows:
        if not c or all(v == 0 for k, v in c.items() if k != "not_checked"):
            continue
        total = sum(c.values())
        run = total - c["not_checked"] - c["equivalent"]  # an equivalent mutant cannot be killed
        rate = f"{100 * c['killed'] / run:.1f} %" if run else "-"
        print(
            f"{package:28} {total:8d} {c['killed']:7d} {c['survived']:9d} {c['no_tests']:9d} "
            f"{c['equivalent']:7d} {c['not_checked']:6d} {rate:>10}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
