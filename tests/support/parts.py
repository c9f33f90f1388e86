"""Outside parts some tests need (chromium, dovecot, PostgreSQL, the evaluation data).

Locally a missing part skips the test with the way to install it. In CI (`.ci/run` sets
HELPDESK_TEST_STRICT=1, and the CI service sets CI=true) a missing part fails the test instead:
a green CI run must mean that every test really ran.
"""

import os

import pytest


def strict() -> bool:
    """True when a missing part must fail the run (CI), not skip."""
    return os.environ.get("HELPDESK_TEST_STRICT") == "1" or os.environ.get("CI", "").lower() == "true"


def missing(part: str, hint: str) -> None:
    """Fail (in CI) or skip (locally) because `part` is missing; `hint` says how to get it."""
    message = f"{part} is missing: {hint}"
    if strict():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
