"""The log's old chain (before personal content was kept apart): events hashed in their old flat
form, which cannot be rebuilt once personal content is gone. The hashes expected here are SHA-256
of canonical JSON written out by hand."""

import hashlib

from helpdesk.domain.audit import legacy_heads
from helpdesk.domain.events import legacy_record

GENESIS = "0" * 64


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SEALED = {
    "ticket": "T-000001",
    "seq": 1,
    "at": "2026-01-05T09:00:00+01:00",
    "type": "created",
    "actor": "jan",
    "personal": {"salt": "s1", "title": "Drukarka"},
    "personal_sha256": "d" * 64,
    "prev": "p" * 64,
    "hash": "h" * 64,
}
PLAIN = {
    "ticket": "T-000001",
    "seq": 2,
    "at": "2026-01-05T10:00:00+01:00",
    "type": "assigned",
    "actor": "lider",
}
REDACTED = {**SEALED, "seq": 3, "personal": None}
FLAT_1 = '{"actor":"jan","at":"2026-01-05T09:00:00+01:00","seq":1,"ticket":"T-000001","title":"Drukarka","type":"created"}'
FLAT_2 = '{"actor":"lider","at":"2026-01-05T10:00:00+01:00","seq":2,"ticket":"T-000001","type":"assigned"}'


def test_the_old_form_of_a_record_is_flat_without_salt_digest_or_personal():
    assert legacy_record(SEALED) == {
        "ticket": "T-000001",
        "seq": 1,
        "at": "2026-01-05T09:00:00+01:00",
        "type": "created",
        "actor": "jan",
        "title": "Drukarka",
        "prev": "p" * 64,
        "hash": "h" * 64,
    }
    assert legacy_record(PLAIN) == PLAIN
    assert legacy_record(REDACTED) is None
    assert legacy_record({**PLAIN, "personal_sha256": ""}) == PLAIN


def test_old_heads_are_the_flat_chain_at_the_asked_positions():
    first = sha(GENESIS + FLAT_1)
    second = sha(first + FLAT_2)
    assert legacy_heads([SEALED, PLAIN], {1, 2}) == {1: first, 2: second}
    assert legacy_heads([SEALED, PLAIN], {2}) == {2: second}
    assert legacy_heads([SEALED, PLAIN], set()) == {}


def test_old_heads_stop_at_the_last_asked_position_and_are_none_from_a_removed_text_on():
    # What follows the last asked position is never read (here it could not even be hashed).
    assert legacy_heads([SEALED, PLAIN, None], {1}) == {1: sha(GENESIS + FLAT_1)}
    first = sha(GENESIS + FLAT_1)
    assert legacy_heads([SEALED, REDACTED, PLAIN], {1, 2, 3}) == {1: first, 2: None, 3: None}


def test_no_asked_position_reads_no_record():
    assert legacy_heads([None], set()) == {}
