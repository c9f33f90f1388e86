"""The prepared path hands psycopg positional placeholders and a tuple (adapters/db/prepared.py)."""

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql

from helpdesk.adapters.db.outbox_store import outbox_t
from helpdesk.adapters.db.prepared import Prepared, _positional


def test_named_placeholders_become_positional_with_their_names_in_order():
    sql, names = _positional("UPDATE t SET a=%(a)s::VARCHAR WHERE b = %(b)s OR c = %(a)s")
    assert sql == "UPDATE t SET a=%s::VARCHAR WHERE b = %s OR c = %s"
    assert names == ["a", "b", "a"]


def test_a_literal_percent_stays_as_it_is():
    sql, names = _positional("SELECT 'a%%(b)s' || %(c)s, 5 %% 2")
    assert sql == "SELECT 'a%%(b)s' || %s, 5 %% 2"
    assert names == ["c"]


def test_a_postgresql_statement_takes_a_tuple_in_placeholder_order():
    prepared = Prepared(
        select(outbox_t.c.id).where(outbox_t.c.recipient == bindparam("who"), outbox_t.c.channel == "email"),
        postgresql.psycopg.dialect(),
    )
    assert "%(" not in prepared.sql
    assert prepared.parameters({"who": "lider@example.pl"}) == ("lider@example.pl", "email")


def test_a_postgresql_insert_fills_plain_defaults_in_their_places():
    prepared = Prepared(insert(outbox_t), postgresql.psycopg.dialect(), ["channel", "recipient"])
    assert "%(" not in prepared.sql
    arguments = prepared.parameters({"recipient": "r", "channel": "email"})
    assert arguments[:2] == ("email", "r")
    assert len(arguments) == prepared.sql.count("%s")
