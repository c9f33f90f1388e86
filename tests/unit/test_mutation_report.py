"""The reviewed list of equivalent mutants (tests/fixtures/equivalent_mutants.md) as
bench/mutation_report.py reads it: names in backticks per module section, `_N` for another mutant
of the same function, `_A` … `_B` for a run, and nothing from the section of survivors left open."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADER = importlib.util.spec_from_file_location("mutation_report", ROOT / "bench" / "mutation_report.py")
assert LOADER is not None and LOADER.loader is not None
report = importlib.util.module_from_spec(LOADER)
LOADER.loader.exec_module(report)

SAMPLE = """
## domain/sla.py

| mutant | change | why |
|---|---|---|
| `x_f__mutmut_8`, `_10` | a | b |
| `xǁMetricǁwarn_at__mutmut_3` … `_5` | a | b |

## domain/ (other modules)

| `kb.article.x_g__mutmut_1` | a | b |

## Survivors that are not equivalent and are left open

| `x_h__mutmut_1` | a | b |
"""


def test_names_runs_and_modules_are_read_and_the_open_ones_are_not():
    assert report.equivalent_names(SAMPLE) == {
        "helpdesk.domain.sla.x_f__mutmut_8",
        "helpdesk.domain.sla.x_f__mutmut_10",
        "helpdesk.domain.sla.xǁMetricǁwarn_at__mutmut_3",
        "helpdesk.domain.sla.xǁMetricǁwarn_at__mutmut_4",
        "helpdesk.domain.sla.xǁMetricǁwarn_at__mutmut_5",
        "helpdesk.domain.kb.article.x_g__mutmut_1",
    }


def test_the_shipped_list_names_only_mutants_of_modules_that_exist():
    names = report.equivalent_names(
        (ROOT / "tests/fixtures/equivalent_mutants.md").read_text(encoding="utf-8")
    )
    assert len(names) > 50
    for name in names:
        module, _, function = name.rpartition(".")
        assert "__mutmut_" in function, name
        assert (ROOT / "src" / (module.replace(".", "/") + ".py")).is_file(), name
