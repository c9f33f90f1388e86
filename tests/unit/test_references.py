"""Comments and docstrings point only at what a reader of the repository can open: a module, a
README section. Names of documents kept outside the repository (the interface contract, the design
notes, the issue tracker) are refused, so a reference that cannot be followed does not creep back."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelt in pieces so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join([r"\bSP" + r"EC\b", r"ARCHI" + r"TECTURE\.md", r"DOM" + r"AIN\.md", r"\b[Ii]ss" + r"ue \d+"])
)


def test_no_comment_or_docstring_names_a_document_outside_the_repository():
    found = []
    for folder in ("src", "tests", "bench", "deploy", "sla"):
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or path.suffix not in {
                ".py",
                ".md",
                ".yaml",
                ".sh",
                ".conf",
                ".service",
                ".timer",
            }:
                continue
            if "kb_eval" in path.parts or "egg-info" in str(path):
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if OUTSIDE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()[:100]}")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found += [f"README.md: {m.group(0)}" for m in OUTSIDE.finditer(readme)]
    assert found == []
