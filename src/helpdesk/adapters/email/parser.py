"""The pure e-mail parser: raw bytes in, a `ParsedMail` out — no database, no network, no clock.

It copes with what Polish offices really send: RFC 2047 encoded words, quoted-printable and
base64 bodies, ISO-8859-2 and Windows-1250 (declared, mislabelled or raw 8-bit), HTML-only mail
(turned into clean text; nothing of the markup survives), attachments with RFC 2231/2047 names.
It strips the quoted history of Outlook, Thunderbird and Gmail replies and tells auto-replies,
bulk mail and bounces apart from mail written by a person.
"""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

FALLBACK_CHARSETS = ("utf-8", "cp1250", "iso-8859-2")
CHARSET_ALIASES = {
    "windows-1250": "cp1250",
    "x-cp1250": "cp1250",
    "iso8859-2": "iso-8859-2",
    "latin2": "iso-8859-2",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
TICKET_IN_SUBJECT = re.compile(r"\[\s*T-(\d{1,9})\s*\]", re.IGNORECASE)
REPLY_PREFIX = re.compile(
    r"^\s*((re|odp|odp\.|aw|fw|fwd|pd|wg|tr|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|answer)|autoreply|odpowied[źz] automatyczna|"
    r"automatyczna odpowied[źz]|out of (the )?office|nieobecno[śs][ćc] w biurze|jestem nieobecn|"
    r"auto:|undeliver|undelivered mail|delivery status notification|mail delivery failed|"
    r"returned mail|niedostarczon)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Attachment:
    """A file that came with the mail."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    """What the help-desk needs to know about one inbound message."""

    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_addr: str
    from_name: str
    to: list[str]
    text: str  # the whole body as clean text
    body: str  # the new part only: quoted history and signature stripped
    attachments: list[Attachment] = field(default_factory=list)
    auto: str | None = None  # why it is an auto-reply, bulk mail or bounce; None for a person's mail
    html_only: bool = False
    skipped_attachments: list[str] = field(default_factory=list)
    flattened: bool = False  # nested too deeply to parse part by part: headers and text lines only

    @property
    def ticket_ref(self) -> int | None:
        """The ticket number named in the subject as `[T-000042]`, if any."""
        match = TICKET_IN_SUBJECT.search(self.subject)
        return int(match.group(1)) if match else None

    @property
    def title(self) -> str:
        """The subject without Re:/Odp:/Fwd:/PD: prefixes and ticket tags, fit for a ticket title."""
        return clean_title(self.subject)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, nearest first (In-Reply-To, then References backwards)."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen


# --- headers --------------------------------------------------------------------------------
def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _repair(text: str) -> str:
    """Raw 8-bit header bytes come back as surrogates: decode them as UTF-8 or Windows-1250."""
    if not _has_surrogates(text):
        return no_surrogates(text)
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate of another kind (UTF-7 can encode one)
        return no_surrogates(text)
    return no_surrogates(decode_bytes(raw, None))


def no_surrogates(text: str) -> str:
    """`text` with any lone UTF-16 surrogate (which no encoder writes) replaced by U+FFFD."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def header_text(msg: Message, name: str) -> str:
    """A header as readable text (RFC 2047 words decoded), '' when absent or broken beyond repair."""
    try:
        value = msg.get(name)
    except Exception:  # a malformed header must not stop the parse: decode its raw text ourselves
        value = None
        raw = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
        if raw:
            try:
                value = str(make_header(decode_header(str(raw[0]))))
            except Exception:
                value = str(raw[0])
    if value is None:
        return ""
    text = str(value)
    for key, raw_value in msg.raw_items():  # raw 8-bit bytes the policy turned into U+FFFD
        if key.lower() == name.lower() and isinstance(raw_value, str) and _has_surrogates(raw_value):
            text = _repair(" ".join(raw_value.split()))
            break
    text = _repair(text)
    if "=?" in text:  # encoded words the policy left alone (e.g. inside quotes or with bad spacing)
        with contextlib.suppress(Exception):
            text = str(make_header(decode_header(text)))
    return " ".join(no_surrogates(text).split())


def message_ids(value: str) -> list[str]:
    """Every `<id>` in a Message-ID, In-Reply-To or References header."""
    return [f"<{m}>" for m in re.findall(r"<([^<>\s]+)>", value or "")]


def clean_title(subject: str) -> str:
    """Drop reply/forward prefixes and `[T-…]` tags; 'Bez tematu' when nothing is left."""
    text = TICKET_IN_SUBJECT.sub(" ", subject or "")
    previous = None
    while previous != text:
        previous = text
        text = REPLY_PREFIX.sub("", text).strip()
    text = " ".join(text.split())[:MAX_SUBJECT]
    return text or "Bez tematu"


# --- bodies ---------------------------------------------------------------------------------
def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text in the declared charset, falling back to UTF-8, Windows-1250, ISO-8859-2."""
    tried: list[str] = []
    if charset:
        name = CHARSET_ALIASES.get(charset.strip().strip('"').lower(), charset.strip().strip('"').lower())
        tried.append(name)
    for name in [*tried, *FALLBACK_CHARSETS]:
        try:
            return no_surrogates(data.decode(name))
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def part_text(part: Message) -> str:
    """The decoded text of a text/* part (transfer encoding and charset both undone)."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return decode_bytes(payload, part.get_content_charset())
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


class _TextExtractor(HTMLParser):
    """HTML to plain text: keeps words and line breaks, drops scripts, styles and quoted history."""

    BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "table",
            "ul",
            "ol",
            "hr",
            "pre",
            "section",
            "article",
            "header",
            "footer",
        }
    )
    SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"})
    VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"})

    def __init__(self, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element; quoted history and invisible elements hide their content."""
        values = {k: (v or "") for k, v in attrs}
        hidden = tag in self.SKIP
        if self.drop_quotes:
            classes = values.get("class", "")
            if (
                tag == "blockquote"
                or "gmail_quote" in classes
                or "moz-cite-prefix" in classes
                or values.get("id", "") in ("divRplyFwdMsg", "appendonsend")
            ):
                hidden = True
        if tag in self.BLOCK and not self._hidden():
            self.out.append("\n")
        if tag == "li" and not self._hidden():
            self.out.append("• ")
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        """Close the nearest open element of that name."""
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in self.BLOCK and not self._hidden():
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if not self._hidden():
            self.out.append(data)


def html_to_text(markup: str, *, drop_quotes: bool = False) -> str:
    """Clean, readable text from HTML (no tags, no scripts, entities decoded)."""
    parser = _TextExtractor(drop_quotes)
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # html.parser is lenient; this is only a last resort
        return normalise_text(re.sub(r"<[^>]*>", " ", html.unescape(markup)))
    return normalise_text("".join(parser.out))


def normalise_text(text: str) -> str:
    """Unix line ends, no trailing spaces or control characters, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").replace("\u200b", "")
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


# --- quoted history -------------------------------------------------------------------------
_CUT_PATTERNS = [
    re.compile(
        r"^-{2,}\s*(original message|wiadomo[śs][ćc] oryginalna|oryginalna wiadomo[śs][ćc])\s*-{2,}",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(on|w dniu|dnia)\b.{0,200}\b(wrote|pisze|napisa[łl](\(a\))?|napisała)\s*:?\s*$", re.IGNORECASE
    ),
    re.compile(r"^_{10,}\s*$"),
    re.compile(r"^(from|od|nadawca)\s*:\s*.+$", re.IGNORECASE),  # Outlook header block, checked below
    # Gmail: "pon., 3 mar 2027 o 10:15 Jan Kowalski <jan@example.pl> napisał(a):"
    re.compile(
        r"^.{0,200}(@|\d{4}).{0,200}\b(wrote|pisze|napisa[łl](\(a\))?|napisała)\s*:\s*$", re.IGNORECASE
    ),
]
_OUTLOOK_FOLLOW = re.compile(r"^(sent|wys[łl]ano|date|data|to|do|subject|temat)\s*:", re.IGNORECASE)
_FORWARD = re.compile(
    r"^-{2,}\s*(forwarded message|przekazana wiadomo[śs][ćc]|wiadomo[śs][ćc] przekazana)", re.IGNORECASE
)


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at the quoted history, drop `>` lines and the signature.

    A forward is kept whole: the forwarded message is what the sender wants us to read.
    """
    lines = text.split("\n")
    if any(_FORWARD.match(line.strip()) for line in lines[:40]) and not any(
        _CUT_PATTERNS[1].match(line.strip()) for line in lines[:3]
    ):
        return normalise_text(text)
    cut = len(lines)
    for i, raw in enumerate(lines):
        line = raw.strip()
        if _FORWARD.match(line):
            break
        if _CUT_PATTERNS[0].match(line) or _CUT_PATTERNS[1].match(line) or _CUT_PATTERNS[4].match(line):
            cut = i
            break
        # "On Mon, 3 Mar 2027 Jan Kowalski <jan@x.pl>\nwrote:" — the attribution split over two lines.
        if (
            i + 1 < len(lines)
            and re.match(r"^(on|w dniu|dnia)\b", line, re.IGNORECASE)
            and re.match(
                r"^.{0,80}(wrote|pisze|napisa[łl](\(a\))?)\s*:?\s*$", lines[i + 1].strip(), re.IGNORECASE
            )
        ):
            cut = i
            break
        if _CUT_PATTERNS[2].match(line) or _CUT_PATTERNS[3].match(line):
            following = [x.strip() for x in lines[i + 1 : i + 6] if x.strip()]
            if _CUT_PATTERNS[3].match(line) and any(_OUTLOOK_FOLLOW.match(x) for x in following[:3]):
                cut = i
                break
            if _CUT_PATTERNS[2].match(line) and following and _CUT_PATTERNS[3].match(following[0]):
                cut = i
                break
    kept = lines[:cut]
    # Signature ("-- " line) and trailing `>` quotes.
    for i, raw in enumerate(kept):
        if raw.rstrip("\r") in ("-- ", "--"):
            kept = kept[:i]
            break
    kept = [line for line in kept if not line.lstrip().startswith(">")]
    return normalise_text("\n".join(kept))


# --- loop protection ------------------------------------------------------------------------
def auto_reason(msg: Message, from_addr: str, subject: str, envelope_from: str | None = None) -> str | None:
    """Why this is not a person's mail (auto-reply, bulk, list, bounce), or None."""
    auto_submitted = header_text(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header_text(msg, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        return f"Precedence: {precedence}"
    if msg.get("X-Auto-Response-Suppress") is not None:
        return "X-Auto-Response-Suppress"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autogenerated"):
        if msg.get(name) is not None:
            return name
    if msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None:
        return "mailing list"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "bounce: empty envelope sender"
    local = from_addr.split("@", 1)[0].lower()
    if not from_addr or local in BOUNCE_SENDERS:
        return "bounce: mailer-daemon"
    if msg.get_content_type() == "multipart/report":
        return "bounce: delivery report"
    if AUTO_SUBJECT.match(subject):
        return "auto-reply subject"
    return None


# --- attachments ----------------------------------------------------------------------------
def safe_filename(name: str, index: int) -> str:
    """A file name without path parts or control characters."""
    name = _repair(name)
    if "=?" in name:
        with contextlib.suppress(Exception):
            name = str(make_header(decode_header(name)))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch not in '<>:"|?*').strip(" .")
    return name[:200] or f"zalacznik-{index}"


# --- the parse ------------------------------------------------------------------------------
def parse_mail(
    raw: bytes, *, envelope_from: str | None = None, max_attachment_bytes: int | None = None
) -> ParsedMail:
    """Parse one raw RFC 5322 message (never raises on malformed input).

    A message whose MIME parts nest deeper than Python's parser can follow (thousands of levels)
    is read by its headers and the text lines of its body, without its structure (`flattened`).
    """
    try:
        return _parse(raw, envelope_from, max_attachment_bytes)
    except RecursionError:
        return _flattened(raw, envelope_from)


def _flattened(raw: bytes, envelope_from: str | None) -> ParsedMail:
    """The headers and the plain text lines of a message too deeply nested to parse part by part."""
    head, _sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    msg = BytesHeaderParser(policy=policy.default).parsebytes(head + b"\r\n\r\n")
    lines = []
    for line in decode_bytes(body[:1_000_000], None).splitlines():
        text = line.strip()
        if text.startswith("--") or re.match(r"^[A-Za-z-]+:\s", text) or not text:
            continue
        lines.append(text)
    text = normalise_text("\n".join(lines))
    from_name, from_addr = parseaddr(header_text(msg, "From"))
    if not from_addr and envelope_from:
        from_addr = envelope_from.strip("<>")
    from_addr = from_addr.strip().lower()
    subject = header_text(msg, "Subject")
    mid = message_ids(header_text(msg, "Message-ID"))
    return ParsedMail(
        message_id=mid[0] if mid else None,
        in_reply_to=message_ids(header_text(msg, "In-Reply-To")),
        references=message_ids(header_text(msg, "References")),
        subject=subject,
        from_addr=from_addr,
        from_name=from_name.strip(),
        to=[],
        text=text,
        body=text,
        auto=auto_reason(msg, from_addr, subject, envelope_from),
        flattened=True,
    )


def _parse(raw: bytes, envelope_from: str | None, max_attachment_bytes: int | None) -> ParsedMail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    from_header = header_text(msg, "From")
    from_name, from_addr = parseaddr(from_header)
    if not from_addr and envelope_from:
        from_addr = envelope_from.strip("<>")
    from_addr = from_addr.strip().lower()
    subject = header_text(msg, "Subject")
    to = [addr.lower() for _, addr in getaddresses([header_text(msg, "To"), header_text(msg, "Cc")]) if addr]
    mid = message_ids(header_text(msg, "Message-ID"))

    plain: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    skipped: list[str] = []
    for index, part in enumerate(msg.walk(), start=1):
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if ctype in ("message/delivery-status", "message/disposition-notification"):
            continue
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            if ctype.startswith("multipart/"):
                continue
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                data = b""
            if not filename and ctype == "message/rfc822":
                filename = "wiadomosc.eml"
            name = safe_filename(filename or f"zalacznik-{index}", index)
            if max_attachment_bytes is not None and len(data) > max_attachment_bytes:
                skipped.append(name)
                continue
            if data or filename:
                attachments.append(Attachment(name, ctype, data))
            continue
        if ctype == "text/html":
            htmls.append(part_text(part))
        else:
            plain.append(part_text(part))

    html_only = not plain and bool(htmls)
    if plain:
        text = normalise_text("\n\n".join(plain))
        body = strip_quoted(text)
    elif htmls:
        text = html_to_text("\n".join(htmls))
        body = strip_quoted(html_to_text("\n".join(htmls), drop_quotes=True))
    else:
        text = body = ""
    if not body and text:
        body = text  # everything looked quoted: keep it rather than lose the message
    return ParsedMail(
        message_id=mid[0] if mid else None,
        in_reply_to=message_ids(header_text(msg, "In-Reply-To")),
        references=message_ids(header_text(msg, "References")),
        subject=subject,
        from_addr=from_addr,
        from_name=from_name.strip(),
        to=to,
        text=text,
        body=body,
        attachments=attachments,
        auto=auto_reason(msg, from_addr, subject, envelope_from),
        html_only=html_only,
        skipped_attachments=skipped,
    )
