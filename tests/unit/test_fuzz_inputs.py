"""Property tests (hypothesis) of what reads outside input: it either works or refuses with InvalidInput
(one clear Polish message), never any other exception — the mail parser, an article's front matter,
a contract's YAML, the offices CSV and the replay input. Bounded, with a fixed seed."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from helpdesk.adapters.email.parser import parse_mail
from helpdesk.adapters.files.articles import parse_article
from helpdesk.adapters.files.contracts import holiday_provider
from helpdesk.domain.contracts import build_contract
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.inputs import check_json, clean_line
from helpdesk.domain.tickets import parse_ticket_id
from helpdesk.services.people import parse_offices_csv
from helpdesk.services.sla.replay import replay
from tests.support.world import REPO

FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SEED = 20261130
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\r\n\t:;,-[]{}\"'=?@<>"),
    max_size=80,
)
SURROGATE_TEXT = st.text(max_size=40)  # may hold lone surrogates, as JSON's "\ud800" decodes to


def _storable(text: str) -> bool:
    text.encode("utf-8")
    return True


# --- mail -----------------------------------------------------------------------------------------
HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Auto-Submitted",
        "MIME-Version",
    ]
)
HEADER_VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "=?utf-7?Q?+2AA-?=",
            "=?utf-8?B?////?=",
            "=?iso-8859-2?Q?=B1=E6?=",
            "multipart/mixed; boundary=x",
            "text/plain; charset=utf-7",
            "base64",
            "quoted-printable",
            'attachment; filename="=?utf-8?Q?a=FF?="',
            "<a@b>",
            "Jan <jan@plock.example.pl>",
            "text/html; charset=bogus",
        ]
    ),
)


@st.composite
def mails(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=8))
    body = draw(st.one_of(st.binary(max_size=300), TEXT.map(lambda t: t.encode("utf-8"))))
    head = b"".join(f"{k}: {v}".encode("utf-8", "surrogatepass") + b"\r\n" for k, v in headers)
    return head + b"\r\n" + body


@seed(SEED)
@FAST
@given(raw=st.one_of(mails(), st.binary(max_size=400)), envelope=st.one_of(st.none(), TEXT))
def test_the_mail_parser_never_raises_and_returns_storable_text(raw, envelope):
    mail = parse_mail(raw, envelope_from=envelope)
    for text in (mail.subject, mail.title, mail.body, mail.text, mail.from_addr, mail.from_name):
        assert _storable(text)
    for attachment in mail.attachments:
        assert _storable(attachment.filename)
    assert mail.title and "\n" not in mail.title


# --- article front matter -------------------------------------------------------------------------
FRONT_VALUES = st.one_of(TEXT, st.integers(), st.lists(TEXT, max_size=3), st.none(), st.booleans())


@st.composite
def articles(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(["id", "title", "component", "tags", "questions", "x"]), max_size=6))
    front = {k: draw(FRONT_VALUES) for k in keys}
    raw = draw(st.booleans())
    lines = draw(TEXT) if raw else yaml.safe_dump(front, allow_unicode=True)
    return f"---\n{lines}\n---\n{draw(TEXT)}"


@seed(SEED)
@FAST
@given(text=st.one_of(articles(), TEXT))
def test_article_front_matter_is_read_or_refused_with_a_clear_error(text):
    try:
        parse_article(text, Path("knowledge_base/fuzz.md"))
    except InvalidInput as err:
        assert str(err)


# --- contract YAML --------------------------------------------------------------------------------
SHIPPED = yaml.safe_load((REPO / "sla" / "contracts").glob("*.yaml").__next__().read_text(encoding="utf-8"))


@st.composite
def contracts(draw: st.DrawFn) -> object:
    data = json.loads(json.dumps(SHIPPED, default=str))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.lists(st.sampled_from(sorted(_keys(data))), min_size=1, max_size=1))[0]
        node, key = _find(data, path)
        if node is not None:
            node[key] = draw(
                st.one_of(FRONT_VALUES, st.sampled_from(["2h", "0m", "-1d", "1x", "25:00", "²h"]))
            )
    return data


def _keys(data: object, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            out.add((*prefix, str(k)))
            out |= _keys(v, (*prefix, str(k)))
    return out


def _find(data: object, path: tuple[str, ...]) -> tuple[dict | None, str]:  # type: ignore[type-arg]
    node = data
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), path[-1]


@seed(SEED)
@FAST
@given(data=contracts())
def test_a_contract_is_built_or_refused_with_a_clear_error(data):
    try:
        build_contract(data, holiday_provider)
    except InvalidInput as err:
        assert str(err)


# --- offices CSV ----------------------------------------------------------------------------------
CSV_CELLS = st.one_of(
    TEXT, st.sampled_from(["1462011", "gmina_wiejska", "EZD;ESB", "²", "１", "9" * 30, "-3", ""])
)


@seed(SEED)
@FAST
@given(rows=st.lists(st.lists(CSV_CELLS, min_size=0, max_size=7), max_size=5), header=st.booleans())
def test_the_offices_csv_is_read_or_refused_naming_the_line(rows, header):
    lines = (["code,name,type,employees,components,leaders_max"] if header else []) + [
        ",".join(c.replace(",", " ") for c in row) for row in rows
    ]
    try:
        parse_offices_csv("\n".join(lines))
    except InvalidInput as err:
        assert str(err)


# --- replay input ---------------------------------------------------------------------------------
CONTRACTS = {}


def _contracts():
    if not CONTRACTS:
        from helpdesk.adapters.files.contracts import load_contracts

        CONTRACTS.update(load_contracts(REPO / "sla"))
    return CONTRACTS


EVENT_VALUES = st.one_of(
    TEXT,
    st.integers(),
    st.none(),
    st.sampled_from(["escalated", "resolved", "paused", "critical", "2027-03-01T09:00:00+01:00"]),
)


@st.composite
def replay_lines(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(TEXT)
    record = {
        k: draw(EVENT_VALUES)
        for k in draw(
            st.lists(st.sampled_from(["ticket", "seq", "at", "type", "contract", "priority"]), max_size=6)
        )
    }
    return json.dumps(record, ensure_ascii=False)


@seed(SEED)
@FAST
@given(lines=st.lists(replay_lines(), max_size=6))
def test_replay_input_is_computed_or_refused_naming_the_line(lines):
    try:
        list(replay(lines, _contracts(), datetime(2027, 6, 1, tzinfo=ZoneInfo("Europe/Warsaw"))))
    except InvalidInput as err:
        assert "linia" in str(err) or str(err)


# --- the small checks the web and services rely on ------------------------------------------------
@seed(SEED)
@FAST
@given(value=SURROGATE_TEXT)
def test_ticket_ids_and_titles_never_raise_anything_but_invalid_input(value):
    try:
        number = parse_ticket_id(value)
        assert value.strip()[2:].isascii() and number >= 0
    except InvalidInput:
        pass
    line = clean_line(value)
    assert "\n" not in line and "\r" not in line


@seed(SEED)
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | SURROGATE_TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SURROGATE_TEXT, inner, max_size=3),
        max_leaves=8,
    )
)
def test_json_values_are_storable_or_refused(value):
    try:
        check_json(value)
    except InvalidInput:
        return
    json.dumps(value, ensure_ascii=False).encode("utf-8")
