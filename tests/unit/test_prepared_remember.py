"""The prepared path's one-value memory (`adapters/db/prepared.py`): the very same object is converted
once, an equal but distinct one is converted again — `True == 1 == 1.0` and `Decimal("1.0") == 1`,
yet a JSON or text column stores each differently."""

import json
from decimal import Decimal

from helpdesk.adapters.db.prepared import _remember_last


def test_the_same_object_is_converted_once_and_an_equal_one_again():
    calls = []

    def processor(value):
        calls.append(value)
        return json.dumps(value) if not isinstance(value, Decimal) else str(value)

    process = _remember_last(processor)
    now = [1]  # any object: the memory looks at identity only
    first = process(now)
    assert (
        process(now) is first and len(calls) == 1
    )  # the hot path: one conversion for one `now` passed to every statement
    assert [process(v) for v in (True, 1, 1.0, Decimal("1.0"))] == ["true", "1", "1.0", "1.0"]
    assert process(1.0) == "1.0" and process(1) == "1"
