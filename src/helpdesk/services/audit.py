"""The audit log's use cases: verify (the database or an export), cite the head, record checkpoints.

- `verify_log`: the whole database check of domain/audit.py in one read transaction — every row,
  the stored head, the ticket rows' projection columns, and optionally an earlier head kept
  outside the database (`Anchor`).
- `verify_export`: the same chain checks over an exported file, without the database.
- `log_citation`: what a report states it was computed from (head hash and event count), after a
  cheap look that the stored head describes the rows actually there; reports refuse to cite a log
  whose head does not.
- `AuditCheckpoints.checkpoint`: verify, then record the head outside the database — a line
  appended to an append-only file and/or a mail to the auditors through the outbox. A log that
  does not verify, or that no longer extends the last recorded head, is reported instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from helpdesk.domain.audit import Anchor, LogVerifier, Problem, StoredEvent, TicketFacts, legacy_heads
from helpdesk.domain.errors import Conflict
from helpdesk.services.ports import Clock, Database, EventRecord, OutboxWriter
from helpdesk.services.texts import EVENTS_PL, plural_pl


class AuditRepo(Protocol):
    """What the audit reads: the stored rows, the ticket rows' facts, the stored head."""

    def log_rows(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event as it is, in chain order."""
        ...

    def iter_log(self, batch: int = 5000) -> Iterator[EventRecord]:
        """Every event in its log form (as exported)."""
        ...

    def ticket_facts(self, batch: int = 5000) -> Iterator[TicketFacts]:
        """Every ticket row's report and access columns."""
        ...

    def head(self) -> tuple[str, int]:
        """(hash of the last event, number of events) as stored."""
        ...

    def log_extent(self) -> tuple[int, int | None, int | None, str | None]:
        """(rows, lowest id, highest id, hash of the highest)."""
        ...


class CheckpointRepo(AuditRepo, OutboxWriter, Protocol):
    """A checkpoint verifies the log and may queue mail to the auditors."""


class CheckpointFile(Protocol):
    """An append-only file of heads (adapters/files/checkpoints.py)."""

    def last(self) -> Anchor | None:
        """The last head recorded, or None."""
        ...

    def append(self, line: dict[str, Any]) -> None:
        """Add one line (a JSON object) at the end, durably."""
        ...


@dataclass
class Verdict:
    """What a verification found."""

    events: int
    head: str
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    anchor: Anchor | None = None
    anchor_position: int | None = None
    anchor_note: str | None = None
    redacted: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The machine-readable form (`--json`)."""
        out: dict[str, Any] = {"ok": self.ok, "events": self.events, "head": self.head}
        if self.redacted:
            out["redacted_events"] = self.redacted
        if self.anchor is not None:
            out["anchor"] = {
                "head": self.anchor.head,
                "events": self.anchor_position,
                "note": self.anchor_note,
            }
        if self.problems:
            first = self.problems[0]
            out.update(position=first.position, ticket=first.ticket, seq=first.seq, error=first.reason)
            out["problems"] = [p.describe() for p in self.problems[:50]]
            out["problem_count"] = len(self.problems) + self.more_problems
        return out


def _verdict(verifier: LogVerifier, anchor: Anchor | None) -> Verdict:
    return Verdict(
        verifier.count,
        verifier.head,
        list(verifier.problems),
        verifier.more_problems,
        anchor,
        verifier.anchor_position,
        None,
        verifier.redacted,
    )


def _prove_legacy(verdict: Verdict, verifier: LogVerifier, records: Iterable[EventRecord]) -> None:
    """An anchor found only as the old head of a re-anchoring: recompute the old chain to prove it."""
    anchor = verdict.anchor
    if anchor is None or verdict.anchor_position is None or not verifier.reanchors:
        return
    legacy = next((r for r in verifier.reanchors if r.get("legacy_head") == anchor.head), None)
    if legacy is None or legacy.get("position") != verdict.anchor_position:
        return
    count = int(legacy.get("legacy_events") or 0)
    computed = legacy_heads(records, {count}).get(count)
    if computed is None:
        verdict.anchor_note = (
            f"nagłówek sprzed przeliczenia łańcucha (zdarzenie nr {verdict.anchor_position}); starego "
            "łańcucha nie da się już odtworzyć, bo dane osobowe części zdarzeń usunięto"
        )
    elif computed == anchor.head:
        verdict.anchor_note = (
            f"nagłówek sprzed przeliczenia łańcucha: stary łańcuch {count} zdarzeń odtworzony z ich treści"
        )
    else:
        verdict.problems.append(
            Problem(
                0,
                None,
                None,
                f"zdarzenie nr {verdict.anchor_position} podaje stary nagłówek {anchor.head}, ale "
                f"odtworzony z treści zdarzeń stary łańcuch kończy się skrótem {computed}",
            )
        )


def verify_log(db: Database[AuditRepo], anchor: Anchor | None = None) -> Verdict:
    """Check the whole database log (see domain/audit.py) in one read transaction."""

    def _do(tx: AuditRepo) -> Verdict:
        verifier = LogVerifier(anchor)
        for row in tx.log_rows():
            verifier.feed_row(row)
        stored_head, stored_count = tx.head()
        verifier.check_head(stored_head, stored_count)
        verifier.check_tickets(tx.ticket_facts())
        verifier.check_anchor()
        verdict = _verdict(verifier, anchor)
        if anchor is not None and verdict.anchor_position is not None and verifier.reanchors:
            _prove_legacy(verdict, verifier, _safe_records(tx))
        return verdict

    return db.read(_do)


def _safe_records(tx: AuditRepo) -> Iterator[EventRecord]:
    try:
        yield from tx.iter_log()
    except Conflict:
        return


def parse_export(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, record) of each non-empty line; the record is an error text when it is not JSON."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            yield number, "wiersz nie jest poprawnym JSON"
            continue
        yield number, record if isinstance(record, dict) else "wiersz nie jest obiektem JSON"


def verify_export(lines: Iterable[str], anchor: Anchor | None = None) -> Verdict:
    """Check an exported log (JSON Lines, the whole log from its first event) without the database."""
    verifier = LogVerifier(anchor)
    records: list[dict[str, Any]] = []
    for number, record in parse_export(lines):
        if isinstance(record, str):
            verifier.count += 1
            verifier.problem(verifier.count, None, None, f"wiersz {number} pliku: {record}")
            continue
        if verifier.count == 0 and record.get("prev") not in (None, "0" * 64):
            verifier.problem(
                1,
                record.get("ticket") if isinstance(record.get("ticket"), str) else None,
                None,
                "plik nie zaczyna się od pierwszego zdarzenia dziennika: weryfikuj pełny eksport "
                "(helpdesk audit export bez --from i --to)",
            )
        verifier.feed(record)
        if anchor is not None:
            records.append(record)
    verifier.check_anchor()
    verdict = _verdict(verifier, anchor)
    if anchor is not None and verdict.anchor_position is not None and verifier.reanchors:
        _prove_legacy(verdict, verifier, records)
    return verdict


def log_citation(tx: AuditRepo) -> dict[str, Any]:
    """The head a report is computed from: {"head", "events"}; Conflict when the stored head does not
    describe the rows there (an event stored around the chain, deleted, or appended without it)."""
    head, count = tx.head()
    rows, low, high, last = tx.log_extent()
    if rows != count or (rows and (low != 1 or high != count or last != head)):
        raise Conflict(
            "dziennik zdarzeń jest niespójny z jego nagłówkiem (zdarzenia dodane, usunięte lub "
            "przenumerowane poza łańcuchem); raportu nie można oprzeć na takim dzienniku — uruchom "
            "helpdesk audit verify"
        )
    return {"head": head, "events": count}


@dataclass(frozen=True)
class Checkpoint:
    """What one checkpoint did."""

    verdict: Verdict
    recorded: bool
    line: dict[str, Any]
    mailed: Sequence[str] = ()


class AuditCheckpoints:
    """Records the verified head outside the database: a file and/or mail to the auditors."""

    def __init__(
        self,
        db: Database[CheckpointRepo],
        clock: Clock,
        file: CheckpointFile | None,
        auditors: Sequence[str] = (),
    ) -> None:
        self.db = db
        self.clock = clock
        self.file = file
        self.auditors = list(auditors)

    @property
    def configured(self) -> bool:
        """True when there is somewhere to record the head."""
        return self.file is not None or bool(self.auditors)

    def checkpoint(self) -> Checkpoint:
        """Verify (against the last head recorded in the file) and record the head, or report why not."""
        if not self.configured:
            raise Conflict(
                "nie ustawiono, gdzie zapisywać nagłówek dziennika: HELPDESK_AUDIT_CHECKPOINT_FILE "
                "i/lub HELPDESK_AUDIT_CHECKPOINT_MAIL"
            )
        previous = self.file.last() if self.file is not None else None
        verdict = verify_log(self.db, previous)
        now = self.clock.now()
        line: dict[str, Any] = {
            "at": now.isoformat(timespec="seconds"),
            "events": verdict.events,
            "head": verdict.head,
        }
        if not verdict.ok:
            line["ok"] = False
            line["error"] = verdict.problems[0].describe()
        if verdict.ok and self.file is not None:
            self.file.append(line)
        mailed = self._mail(line, verdict, now) if self.auditors else []
        return Checkpoint(verdict, verdict.ok and self.file is not None, line, mailed)

    def _mail(self, line: dict[str, Any], verdict: Verdict, now: datetime) -> list[str]:
        if verdict.ok:
            subject = f"Nagłówek dziennika zdarzeń: {plural_pl(verdict.events, *EVENTS_PL)}"
            body = (
                "Dzień dobry,\n\nzapisujemy poza bazą danych help-desku nagłówek dziennika zdarzeń, "
                "sprawdzonego w całości:\n\n"
                f"czas: {line['at']}\nliczba zdarzeń: {verdict.events}\nskrót ostatniego: {verdict.head}\n\n"
                "Zachowaj tę wiadomość. Później możesz sprawdzić, że dziennik nadal ją zawiera:\n"
                f"helpdesk audit verify --head {verdict.head} --events {verdict.events}\n"
            )
        else:
            subject = "UWAGA: dziennik zdarzeń nie przeszedł weryfikacji"
            body = (
                "Dzień dobry,\n\nokresowa weryfikacja dziennika zdarzeń help-desku wykryła naruszenie:\n\n"
                + "\n".join(p.describe() for p in verdict.problems[:20])
                + "\n\nNagłówka nie zapisano. Sprawdź: helpdesk audit verify\n"
            )
        body += "\n-- \nHelpdesk e-Urząd\n"

        def _do(tx: CheckpointRepo) -> list[str]:
            sent = []
            for address in self.auditors:
                dedupe = f"audit-checkpoint:{verdict.head}:{verdict.events}:{int(verdict.ok)}:{address}"
                if tx.enqueue("email", address, subject, body, at=now, dedupe=dedupe):
                    sent.append(address)
            return sent

        return self.db.write(_do)
