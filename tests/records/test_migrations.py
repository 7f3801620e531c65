"""The log schema is pinned: the ORM and the migrations must agree, and turns are append-only."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from records import repository as repo
from records.db import migrate
from records.schema import Base

PINNED_TURN_COLUMNS = [
    "id",
    "conversation_id",
    "seq",
    "created_at",
    "request_id",
    "client_id",
    "question",
    "reply",
    "draft",
    "sources",
    "verdict",
    "rules",
    "risk_level",
    "suitability",
    "intent",
    "model",
    "prompt_version",
    "content_id",
    "timings",
]


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_turn_columns_are_pinned(engine: Engine) -> None:
    assert [c["name"] for c in inspect(engine).get_columns("turns")] == PINNED_TURN_COLUMNS


def test_migrating_twice_is_a_no_op(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0005_client_full_names"


def test_sqlite_runs_in_wal_mode(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def _turn(conversation_id: str) -> repo.TurnRecord:
    return repo.TurnRecord(
        conversation_id=conversation_id,
        request_id="r1",
        client_id="client-002",
        question="问",
        reply="答",
        verdict="pass",
        model="fake",
        prompt_version="p@1",
        content_id="c1",
        created_at=datetime.now(UTC),
    )


def test_turns_cannot_be_changed_or_deleted(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        cid = repo.start_conversation(s, "client-002")
        repo.append_turn(s, _turn(cid))
    for statement in ("UPDATE turns SET reply = 'edited'", "DELETE FROM turns"):
        with sessions() as s, pytest.raises(DatabaseError, match="append-only"), s.begin():
            s.execute(text(statement))
    with sessions() as s:
        assert [t.reply for t in repo.get_turns(s, cid)] == ["答"]


def test_turns_are_numbered_in_order(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        cid = repo.start_conversation(s, "client-002")
        repo.append_turn(s, _turn(cid))
        repo.append_turn(s, _turn(cid))
    with sessions() as s:
        assert [t.seq for t in repo.get_turns(s, cid)] == [1, 2]
