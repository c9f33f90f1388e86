"""The chat dialogue: question → article → "did it help?" → a short ticket conversation.

Any chat channel can talk to people through this service; the Telegram bot does today, and a web
chat page can the same way. (E-mail is no chat: services/intake/mail.py turns each mail into a
ticket or a comment at once.) What a channel needs to know:

- a conversation is keyed `<channel>:<id>` (`telegram:12345`, `web:<session>`); the part before
  the colon names the channel of the questions it records and the tickets it opens;
- the channel turns what a person sent into `message` / `action` / `attach` calls and shows the
  `Reply` objects it gets back: `text` is `Html` (services/texts.py) — a small HTML subset,
  `<b>`, `<i>` and escaped entities, with line breaks as newlines — that Telegram shows in its
  HTML mode and a page can put into an element with `white-space: pre-wrap`; `buttons` are rows
  of labels whose `data` comes back through `action` (at most MAX_BUTTON_DATA_BYTES, the smallest
  limit of the channels: Telegram's);
- `reply_to_ticket` is the ticket a message answers (Telegram: a reply to the bot's message
  about it; a page: the ticket it shows).

The state of each conversation is stored in the database, so a restart in the middle of a ticket
conversation loses nothing. The conversation is forgiving: every step can be skipped or answered
in free text, sensible defaults fill the gaps (the article's component, priority "normal"), and
there is always a way on — never a dead end.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from helpdesk.domain.errors import Forbidden, HelpdeskError, InvalidInput, NotFound
from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.text import fold, is_small_talk, tokens
from helpdesk.domain.offices import COMPONENTS, component_short_label
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import (
    CREATE_ROLES,
    PRIORITY_LABELS_PL,
    Priority,
    format_ticket_id,
    parse_ticket_id,
)
from helpdesk.services.kb.answers import KbService
from helpdesk.services.ports import Clock, Database, DialogueRepo, DirectoryRepo, KbRepo
from helpdesk.services.texts import Html, human_size
from helpdesk.services.texts import Texts as Texts  # channels load and pass the texts
from helpdesk.services.tickets import File, NewTicket, TicketService

SURE_SCORE = 0.75  # below this an answered question also offers "Może chodzi o…"
CANDIDATE_MIN_SCORE = 0.15  # weaker candidates are noise, not suggestions
MAX_CANDIDATES = 3
EXCERPT_CHARS = 300
MAX_QUESTION_CHARS = 4000
TITLE_CHARS = 120
RESUME_CHARS = 200  # the question quoted when a conversation is taken up again
MAX_BUTTON_DATA_BYTES = 64  # Telegram's limit on button data, the smallest of the channels
TICKET_ID_RE = re.compile(r"\bT-(\d{1,9})\b", re.IGNORECASE)
_THANKS = ("dziek", "thx", "thank", "dzieki")
# Components offered as buttons, in the order officials most often need them.
SYSTEM_BUTTONS = ("EZD", "EPUAP", "PODPIS", "SKANOWANIE", "ESB", "KONTO", "SPRZET", "SYSTEMY_DZIEDZINOWE")
_URGENCY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("critical", ("krytycz", "stoi", "caly urzad", "nikt nie moze", "awaria krytyczna")),
    ("high", ("pilne", "pilnie", "nie moge pracowac", "nie moge", "blokuje", "awaria", "szybko")),
    ("low", ("poczek", "niepilne", "nie pilne", "drobne", "drobiazg", "usterka", "kiedys")),
    ("normal", ("normal", "srednio", "zwykle", "blad")),
)


@dataclass(frozen=True)
class Button:
    """One button: the label people see and the data that comes back through `action`."""

    label: str
    data: str


@dataclass
class Reply:
    """One message to show: chat HTML-subset text, rows of buttons, the ticket it is about (if any)."""

    text: Html
    buttons: list[list[Button]] = field(default_factory=list)
    ticket_id: str | None = None


def _clean(text: str | None) -> str:
    """A message's text as the dialogue takes it: no NUL characters, trimmed, at most MAX_QUESTION_CHARS."""
    return (text or "").replace("\x00", "").strip()[:MAX_QUESTION_CHARS]


def ticket_id_in(text: str | None) -> str | None:
    """The first ticket id (T-000042) mentioned in `text`, normalised, or None."""
    if not text:
        return None
    match = TICKET_ID_RE.search(text)
    return format_ticket_id(int(match.group(1))) if match else None


class DialogueUnit(DialogueRepo, KbRepo, DirectoryRepo, Protocol):
    """What one step of a conversation reads and writes: who writes, its state and the question asked."""


class DialogueService:
    """Conversations with officials (and leaders) over any chat channel."""

    def __init__(
        self, db: Database[DialogueUnit], clock: Clock, kb: KbService, tickets: TicketService, texts: Texts
    ) -> None:
        self.db = db
        self.clock = clock
        self.kb = kb
        self.tickets = tickets
        self.t = texts

    # --- state --------------------------------------------------------------------------
    def state(self, key: str) -> dict[str, Any]:
        """The stored state of conversation `key`."""
        return self.db.read(lambda tx: tx.dialogue_load(key))

    def _save(self, key: str, state: Mapping[str, Any]) -> None:
        now = self.clock.now()
        self.db.write(lambda tx: tx.dialogue_save(key, state, now))

    def forget(self, key: str) -> None:
        """Drop the state of a conversation (the person logged out)."""
        self._save(key, {})

    # --- entry points -------------------------------------------------------------------
    def message(
        self, key: str, person: Person, text: str, *, reply_to_ticket: str | None = None
    ) -> list[Reply]:
        """Handle a text message from `person` in conversation `key`."""
        text = _clean(text)
        if not text:
            return [Reply(self.t("errors.unsupported"))]
        return self._message(key, person, self.state(key), text, reply_to_ticket)

    def message_from(
        self, key: str, column: str, value: Any, text: str, *, reply_to_ticket: str | None = None
    ) -> list[Reply] | None:
        """Handle a text message from the active person whose `column` is `value` (e.g. telegram_id).

        The person and the conversation's state are read in one transaction (a chat channel knows
        only its own id of the sender); None when no active person has that id. Looked up for
        every message, never cached: a person disabled elsewhere is refused by the very next one.
        """
        person, state = self.db.read(lambda tx: (tx.person_by(column, value), tx.dialogue_load(key)))
        if person is None:
            return None
        text = _clean(text)
        if not text:
            return [Reply(self.t("errors.unsupported"))]
        return self._message(key, person, state, text, reply_to_ticket)

    def _message(
        self, key: str, person: Person, state: dict[str, Any], text: str, reply_to_ticket: str | None
    ) -> list[Reply]:
        if reply_to_ticket:
            return self._to_thread(key, person, state, reply_to_ticket, text, None)
        mode = state.get("mode")
        if mode == "thread":
            return self._to_thread(key, person, state, state["ticket"], text, state.get("action"))
        if mode == "ticket":
            return self._ticket_step_text(key, person, state, text)
        return self._question(key, person, state, text)

    def action(self, key: str, person: Person, data: str) -> list[Reply]:
        """Handle a pressed button (its `data`)."""
        state = self.state(key)
        kind, _, rest = data.partition(":")
        try:
            if kind == "fb":
                q, _, helpful = rest.partition(":")
                return self._feedback(key, person, state, int(q), helpful == "1")
            if kind == "a":
                q, _, article_id = rest.partition(":")
                return self._show_article(key, state, int(q), article_id)
            if kind == "new":
                return self._start_ticket(key, person, state, int(rest or 0))
            if kind == "again":
                self._save(key, _idle(state))
                return [Reply(self.t("answer.rephrase_hint"))]
            if kind == "t":
                return self._ticket_step_button(key, person, state, rest)
            if kind == "take":
                self.tickets.act(person, rest, "take")
                return [Reply(self.t("thread.taken", id=rest), ticket_id=rest)]
            if kind in ("ans", "com"):
                action = "reply" if kind == "ans" else "comment"
                self._save(key, {**_idle(state), "mode": "thread", "ticket": rest, "action": action})
                path = "thread.write_reply" if action == "reply" else "thread.write_comment"
                return [Reply(self.t(path, id=rest), ticket_id=rest)]
        except (ValueError, KeyError):
            return [Reply(self.t("answer.expired"))]
        except HelpdeskError as err:
            return [Reply(self.t("thread.action_failed", id=rest, reason=str(err)))]
        return [Reply(self.t("answer.expired"))]

    def attach(
        self,
        key: str,
        person: Person,
        filename: str,
        content_type: str,
        data: bytes,
        *,
        reply_to_ticket: str | None = None,
        caption: str | None = None,
    ) -> list[Reply]:
        """Attach a file to the ticket it replies to (or the person's current one)."""
        state = self.state(key)
        ticket_id = (
            reply_to_ticket
            or (state.get("ticket") if state.get("mode") == "thread" else None)
            or state.get("last_ticket")
        )
        if not ticket_id:
            return [Reply(self.t("thread.no_ticket_for_file"))]
        try:
            info = self.tickets.attach(person, ticket_id, File(filename, content_type, data))
        except (NotFound, InvalidInput):
            return [Reply(self.t("thread.no_ticket_for_file"))]
        tid = str(info["ticket"])
        text = self.t("thread.attached", filename=info["filename"], size=human_size(info["size"]), id=tid)
        replies = [Reply(text, ticket_id=tid)]
        if caption and caption.strip():  # the caption is a comment on the same ticket
            self._to_thread(key, person, state, tid, caption.strip(), None)
        return replies

    def mine(self, person: Person, limit: int = 10) -> Reply:
        """The person's newest tickets with their state (a leader's: the office's)."""
        page = self.tickets.list(person, {}, 1, limit)
        if not page["items"]:
            return Reply(self.t("mine.none"))
        office_view = person.role in (Role.LEADER, Role.REPRESENTATIVE, Role.COORDINATOR)
        lines = [self.t("mine.header_office" if office_view else "mine.header")]
        lines += [
            self.t("mine.line", id=item["id"], state=item["state_label"], title=_short(item["title"], 80))
            for item in page["items"]
        ]
        return Reply(Html("\n").join(lines))

    # --- questions ----------------------------------------------------------------------
    def _question(self, key: str, person: Person, state: dict[str, Any], text: str) -> list[Reply]:
        if is_small_talk(text):
            if state.get("mode") not in (None, "idle"):
                self._save(key, _idle(state))
            first = person.name.split()[0] if person.name else ""
            if any(tok.startswith(_THANKS) for tok in tokens(text)):
                return [Reply(self.t("smalltalk.thanks"))]
            return [Reply(self.t("smalltalk.greeting", name=first))]
        channel = key.partition(":")[0] or "api"
        result = self.kb.answer(text, person, channel=channel, record=False)
        _, articles = self.kb.matcher()
        top = result["article"]["id"] if result["answered"] else None
        # The question is recorded (for feedback and KB statistics) in the same transaction that
        # stores the conversation state: one write per question instead of two.
        query = {
            "at": self.clock.now(),
            "person_id": person.id,
            "office": person.jst,
            "channel": channel,
            "text": text[:2000],
            "answered": top is not None,
            "article_id": top,
            "component": articles[top].component if top in articles else None,
            "score": float(result["score"]),
        }
        others = [
            c
            for c in result.get("candidates", [])
            if c["id"] != top and c["id"] in articles and c["score"] >= CANDIDATE_MIN_SCORE
        ]
        new_state = {**_idle(state), "mode": "answered", "question": text[:2000]}
        if top is not None:
            article = articles[top]
            new_state["article"] = top
            body = self.t(
                "answer.found",
                title=article.title,
                excerpt=article.excerpt(EXCERPT_CHARS),
                url=result["article"]["url"],
            )
            q = self._record(key, query, new_state)
            buttons = [
                [
                    Button(self.t.raw("answer.helped"), f"fb:{q}:1"),
                    Button(self.t.raw("answer.not_helped"), f"fb:{q}:0"),
                ]
            ]
            if result["score"] < SURE_SCORE and others:
                body += "\n\n" + self.t("answer.maybe")
                buttons += self._candidate_buttons(q, others, articles)
            return [Reply(body, buttons)]
        new_state["mode"] = "offered"
        q = self._record(key, query, new_state)
        body = self.t("answer.none")
        buttons = []
        # Close neighbours with no deciding detail, or a fair guess below the answer threshold:
        # the matcher names the articles worth offering.
        suggested = [s for s in result.get("suggestions", []) if s["id"] in articles]
        if suggested:
            body += "\n\n" + self.t("answer.maybe")
            buttons += self._candidate_buttons(q, suggested, articles)
        buttons.append([Button(self.t.raw("answer.create_ticket"), f"new:{q}")])
        buttons.append([Button(self.t.raw("answer.rephrase"), "again:")])
        return [Reply(body, buttons)]

    def _record(self, key: str, query: dict[str, Any], state: dict[str, Any]) -> int:
        """Store the question and the new state together; returns the question's id."""
        now = self.clock.now()

        def _do(tx: DialogueUnit) -> int:
            q = tx.kb_record_query(query)
            state["q"] = q
            tx.dialogue_save(key, state, now)
            return q

        return self.db.write(_do)

    def _candidate_buttons(
        self, q: int, candidates: list[dict[str, Any]], articles: Mapping[str, Article]
    ) -> list[list[Button]]:
        rows = []
        for cand in candidates[:MAX_CANDIDATES]:
            data = f"a:{q}:{cand['id']}"
            if len(data.encode()) <= MAX_BUTTON_DATA_BYTES:
                rows.append([Button(_short(articles[cand["id"]].title, 60), data)])
        return rows

    def _show_article(self, key: str, state: dict[str, Any], q: int, article_id: str) -> list[Reply]:
        _, articles = self.kb.matcher()
        article = articles.get(article_id)
        if article is None:
            return [Reply(self.t("answer.expired"))]
        url = f"{str(self.kb.public_url).rstrip('/')}/kb/{article.id}"
        if state.get("q") == q:
            self._save(key, {**state, "mode": "answered", "article": article.id})
        body = self.t("answer.found", title=article.title, excerpt=article.excerpt(EXCERPT_CHARS), url=url)
        return [
            Reply(
                body,
                [
                    [
                        Button(self.t.raw("answer.helped"), f"fb:{q}:1"),
                        Button(self.t.raw("answer.not_helped"), f"fb:{q}:0"),
                    ]
                ],
            )
        ]

    def _feedback(
        self, key: str, person: Person, state: dict[str, Any], q: int, helpful: bool
    ) -> list[Reply]:
        if q:
            with contextlib.suppress(NotFound):
                self.kb.feedback(q, helpful, person)
            chosen = state.get("article") if state.get("q") == q else None
            if helpful and chosen:  # the answer was among the suggestions: the KB may learn it
                with contextlib.suppress(HelpdeskError):
                    self.kb.chosen(q, chosen, person)
        if helpful:
            self._save(key, _idle(state))
            return [Reply(self.t("answer.thanks_feedback"))]
        return self._start_ticket(key, person, state, q)

    # --- the ticket conversation --------------------------------------------------------
    def _start_ticket(self, key: str, person: Person, state: dict[str, Any], q: int) -> list[Reply]:
        if person.role not in CREATE_ROLES:
            self._save(key, _idle(state))
            return [Reply(self.t("ticket.not_allowed", role=person.role.value))]
        question = state.get("question", "") if state.get("q") == q else ""
        guess = None
        article_id = state.get("article") if state.get("q") == q else None
        if article_id:
            _, articles = self.kb.matcher()
            found = articles.get(article_id)
            guess = found.component if found else None
        draft = {"question": question, "what": "", "component": guess, "priority": None, "q": q}
        self._save(key, {**_idle(state), "mode": "ticket", "step": "what", "draft": draft})
        return [self._ask_what(self.t("ticket.ask_what"))]

    def _ask_what(self, text: Html) -> Reply:
        skip_or_cancel = [
            Button(self.t.raw("ticket.skip"), "t:skip"),
            Button(self.t.raw("ticket.cancel"), "t:cancel"),
        ]
        return Reply(text, [skip_or_cancel])

    def pending(self, key: str) -> list[Reply]:
        """What an unfinished conversation waits for, asked again; empty when nothing waits.

        A page opened later (the web "Zapytaj", a reload, the next morning) shows this instead of a
        bare "answer the last question": the ticket step with its buttons, or the offer to open a
        ticket for the question the knowledge base could not answer."""
        state = self.state(key)
        mode = state.get("mode")
        if mode == "ticket":
            draft = state.get("draft") or {}
            question = _short(str(draft.get("question") or draft.get("what") or ""), RESUME_CHARS)
            intro = Reply(self.t("ticket.resume", question=question)) if question else None
            step = state.get("step", "what")
            asked = (
                self._ask_system()
                if step == "system"
                else self._ask_urgency()
                if step == "urgency"
                else self._ask_what(self.t("ticket.ask_what_again"))
            )
            return [r for r in (intro, asked) if r is not None]
        if mode == "offered" and state.get("q"):
            question = _short(str(state.get("question") or ""), RESUME_CHARS)
            buttons = [
                [Button(self.t.raw("answer.create_ticket"), f"new:{state['q']}")],
                [Button(self.t.raw("answer.rephrase"), "again:")],
            ]
            return [Reply(self.t("answer.pending_offer", question=question), buttons)]
        return []

    def _ask_system(self) -> Reply:
        rows: list[list[Button]] = []
        row: list[Button] = []
        for code in SYSTEM_BUTTONS:
            row.append(Button(component_short_label(code), f"t:sys:{code}"))
            if len(row) == 2:
                rows.append(row)
                row = []
        if row:
            rows.append(row)
        rows.append(
            [
                Button(self.t.raw("ticket.unknown_system"), "t:sys:-"),
                Button(self.t.raw("ticket.cancel"), "t:cancel"),
            ]
        )
        return Reply(self.t("ticket.ask_system"), rows)

    def _ask_urgency(self) -> Reply:
        rows = [
            [Button(self.t.raw(f"ticket.urgency_{p}"), f"t:pri:{p}")]
            for p in ("critical", "high", "normal", "low")
        ]
        rows.append(
            [Button(self.t.raw("ticket.skip"), "t:skip"), Button(self.t.raw("ticket.cancel"), "t:cancel")]
        )
        return Reply(self.t("ticket.ask_urgency"), rows)

    def _ticket_step_text(self, key: str, person: Person, state: dict[str, Any], text: str) -> list[Reply]:
        draft = dict(state.get("draft") or {})
        step = state.get("step", "what")
        if step == "what":
            draft["what"] = text
            return self._next_step(key, person, state, draft, "system")
        if step == "system":
            component = guess_component(text)
            if component:
                draft["component"] = component
            else:  # not a system name: keep it as a detail and go on with the default
                draft["what"] = (draft.get("what", "") + "\n" + text).strip()
            return self._next_step(key, person, state, draft, "urgency")
        draft["priority"] = guess_priority(text)
        if draft["priority"] is None:
            draft["what"] = (draft.get("what", "") + "\n" + text).strip()
        return self._create(key, person, state, draft)

    def _ticket_step_button(self, key: str, person: Person, state: dict[str, Any], rest: str) -> list[Reply]:
        if rest == "cancel":
            self._save(key, _idle(state))
            return [Reply(self.t("ticket.cancelled"))]
        if state.get("mode") != "ticket":
            return [Reply(self.t("answer.expired"))]
        draft = dict(state.get("draft") or {})
        step = state.get("step", "what")
        kind, _, value = rest.partition(":")
        if kind == "sys" and step in ("what", "system"):
            draft["component"] = value if value in COMPONENTS else draft.get("component")
            return self._next_step(key, person, state, draft, "urgency")
        if kind == "pri":
            draft["priority"] = value if value in Priority.__members__.values() else None
            return self._create(key, person, state, draft)
        if kind == "skip":
            following = {"what": "system", "system": "urgency"}.get(step)
            if following is None:
                return self._create(key, person, state, draft)
            return self._next_step(key, person, state, draft, following)
        return [Reply(self.t("answer.expired"))]

    def _next_step(
        self, key: str, person: Person, state: dict[str, Any], draft: dict[str, Any], step: str
    ) -> list[Reply]:
        self._save(key, {**state, "mode": "ticket", "step": step, "draft": draft})
        return [self._ask_system() if step == "system" else self._ask_urgency()]

    def _create(self, key: str, person: Person, state: dict[str, Any], draft: dict[str, Any]) -> list[Reply]:
        question = (draft.get("question") or "").strip()
        what = (draft.get("what") or "").strip()
        title_source = question or what or self.t.raw("ticket.unknown_system")
        title = _short(title_source.splitlines()[0], TITLE_CHARS)
        description = "\n\n".join(part for part in (question, what) if part)
        priority = draft.get("priority") or Priority.NORMAL.value
        channel = key.partition(":")[0] or "api"
        try:
            row = self.tickets.create(
                person,
                NewTicket(
                    title=title,
                    description=description,
                    component=draft.get("component"),
                    priority=priority,
                    channel=channel,
                ),
            )
        except Forbidden:
            self._save(key, _idle(state))
            return [Reply(self.t("ticket.not_allowed", role=person.role.value))]
        except HelpdeskError as err:
            return [
                Reply(
                    self.t("ticket.failed", reason=str(err)),
                    [[Button(self.t.raw("ticket.cancel"), "t:cancel")]],
                )
            ]
        q = int(draft.get("q") or 0)
        if q:
            with contextlib.suppress(HelpdeskError):
                self.kb.link_ticket(q, parse_ticket_id(row["id"]))
        self._save(key, {"mode": "idle", "last_ticket": row["id"]})
        component = f"\nSystem: {row['component_label']}" if row.get("component_label") else ""
        return [Reply(self._created_text(row, component), ticket_id=row["id"])]

    def _created_text(self, row: Mapping[str, Any], component: str) -> Html:
        values = {
            "id": row["id"],
            "title": row["title"],
            "priority": PRIORITY_LABELS_PL[Priority(row["priority"])],
            "component": component,
        }
        return self.t("ticket.created", **values)

    # --- threads ------------------------------------------------------------------------
    def _to_thread(
        self, key: str, person: Person, state: dict[str, Any], ticket_id: str, text: str, action: str | None
    ) -> list[Reply]:
        if action is None:
            action = "comment" if person.role in (Role.OFFICIAL, Role.REPRESENTATIVE) else "reply"
        try:
            try:
                row = self.tickets.act(person, ticket_id, action, text=text)
            except HelpdeskError as err:
                if action != "reply" or isinstance(err, NotFound):
                    raise
                action = "comment"
                row = self.tickets.act(person, ticket_id, action, text=text)
        except HelpdeskError as err:
            self._save(key, _idle(state))
            return [Reply(self.t("thread.action_failed", id=ticket_id, reason=str(err)))]
        new_state = _idle(state)
        if person.role is Role.OFFICIAL:
            new_state["last_ticket"] = row["id"]
        if new_state != state:
            self._save(key, new_state)
        path = "thread.replied" if action == "reply" else "thread.commented"
        return [Reply(self.t(path, id=row["id"]), ticket_id=row["id"])]


def _idle(state: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh state that keeps only what outlives one exchange (the last ticket)."""
    return (
        {"mode": "idle", "last_ticket": state["last_ticket"]}
        if state.get("last_ticket")
        else {"mode": "idle"}
    )


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def guess_component(text: str) -> str | None:
    """The component a free-text answer names (EZD, 'epuap', 'podpis', 'skaner'…), or None."""
    folded = fold(text)
    words = set(tokens(text))
    for code in COMPONENTS:
        if code.lower() in words or fold(component_short_label(code)) == folded.strip():
            return code
    hints = {
        "esod": "EZD",
        "dokument": "EZD",
        "skaner": "SKANOWANIE",
        "skan": "SKANOWANIE",
        "podpis": "PODPIS",
        "certyfikat": "PODPIS",
        "szyna": "ESB",
        "haslo": "KONTO",
        "konto": "KONTO",
        "drukark": "SPRZET",
        "komputer": "SPRZET",
        "sprzet": "SPRZET",
        "dziedzin": "SYSTEMY_DZIEDZINOWE",
        "podatk": "SYSTEMY_DZIEDZINOWE",
        "profil": "EPUAP",
        "upo": "EPUAP",
    }
    for hint, code in hints.items():
        if any(w.startswith(hint) for w in words):
            return code
    return None


def guess_priority(text: str) -> str | None:
    """The priority a free-text answer suggests ('pilne' → high, 'może poczekać' → low), or None."""
    folded = " ".join(tokens(text))
    for priority, words in _URGENCY_WORDS:
        if any(w in folded for w in words):
            return priority
    return None
