"""The ports, the SQL repository and the in-memory fakes agree: same methods, same parameters."""

import inspect

import pytest

from helpdesk.adapters.db.store import SqlDatabase
from helpdesk.adapters.db.tx import Tx
from helpdesk.services import ports
from tests.support.fakes import FakeDatabase, FakeRepo

FAKED = (
    ports.TicketRepo,
    ports.AttachmentRepo,
    ports.DirectoryRepo,
    ports.PeopleRepo,
    ports.OutboxWriter,
    ports.OutboxRepo,
    ports.MailRepo,
    ports.DialogueRepo,
    ports.SlaRepo,
)
ALL = (*FAKED, ports.KbRepo, ports.TelegramRepo)


def methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if callable(member) and not name.startswith("_")
    }


def shape(signature: inspect.Signature) -> list[tuple[str, object, bool]]:
    """Parameter names, kinds and whether each has a default: what a caller relies on."""
    return [(p.name, p.kind, p.default is not p.empty) for p in signature.parameters.values()]


@pytest.mark.parametrize("protocol", ALL, ids=lambda p: p.__name__)
def test_the_sql_repository_offers_every_method_of_every_port(protocol: type) -> None:
    for name, signature in methods(protocol).items():
        assert shape(inspect.signature(getattr(Tx, name))) == shape(signature), name


@pytest.mark.parametrize("protocol", FAKED, ids=lambda p: p.__name__)
def test_the_fake_repository_offers_every_method_of_the_faked_ports(protocol: type) -> None:
    for name, signature in methods(protocol).items():
        assert shape(inspect.signature(getattr(FakeRepo, name))) == shape(signature), name


def test_both_databases_run_units_of_work_the_same_way() -> None:
    for database in (SqlDatabase, FakeDatabase):
        for name, signature in methods(ports.Database).items():
            assert shape(inspect.signature(getattr(database, name))) == shape(signature), name


def test_a_fake_unit_of_work_that_raises_leaves_nothing_behind() -> None:
    db = FakeDatabase()

    def fail(repo: FakeRepo) -> None:
        repo.dialogue_save("web:1", {"mode": "idle"}, None)  # type: ignore[arg-type]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write(fail)
    assert db.repo.dialogues == {} and db.commits == 0
