"""What `verify_chain` reports, exactly: the position, ticket, sequence number and reason of the first
break (the audit's own words), an empty log as zero events; and how `unseal` puts a record's
personal content back (or the marker, once retention removed it)."""

from helpdesk.domain import events as ev
from tests.unit.test_events import sample

LINK = "link to the previous event does not match (an event was inserted, deleted or reordered)"
ALTERED = "content does not match its hash (altered)"


def test_an_empty_log_is_zero_events_and_no_break():
    assert ev.verify_chain([]) == (0, None)


def test_an_altered_event_is_reported_with_its_place_ticket_seq_and_reason():
    records = sample()
    records[1]["priority"] = "low"
    assert ev.verify_chain(records) == (2, ev.ChainBreak(2, "T-000001", 2, ALTERED))


def test_a_broken_link_is_reported_at_the_event_that_follows_it():
    records = sample()
    del records[2]
    assert ev.verify_chain(records) == (3, ev.ChainBreak(3, "T-000001", 3, LINK))


def test_a_record_without_seq_is_reported_as_seq_0():
    records = sample()
    records[0]["hash"] = "0" * 64
    del records[0]["seq"]
    assert ev.verify_chain(records) == (1, ev.ChainBreak(1, "T-000001", 0, ALTERED))


def test_unseal_puts_personal_content_back_without_the_salt_or_marks_it_removed():
    sealed = {
        "type": "commented",
        ev.PERSONAL: {ev.SALT: "s", "text": "Dzień dobry"},
        ev.PERSONAL_DIGEST: "d",
    }
    assert ev.unseal(sealed) == {"type": "commented", "text": "Dzień dobry", ev.PERSONAL_DIGEST: "d"}
    removed = {"type": "commented", ev.PERSONAL: None, ev.PERSONAL_DIGEST: "d"}
    assert ev.unseal(removed) == {
        "type": "commented",
        ev.PERSONAL_DIGEST: "d",
        "text": ev.REDACTED_TEXT,
        "redacted": True,
    }
    assert ev.unseal({"type": "created"}) == {"type": "created"}
