"""The personal-data key (environment, or a 0600 development file; production refuses to start
without one) and the append-only tables of encrypted originals and their reveals."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from core.settings import Settings
from guardrails.pii_vault import new_key
from records import pii_originals
from records import repository as repo
from records.errors import PiiKeyFileError
from records.pii_keys import development_key, pii_keys

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def test_production_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ADVISOR_PII_KEY is required in production"):
        Settings(environment="production", data_dir=tmp_path, model_backend="openai")


def test_the_environment_key_wins_and_lists_rotated_keys_first_to_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new, old = new_key(), new_key()
    monkeypatch.setenv("ADVISOR_PII_KEY", f"{new}, {old}")
    settings = Settings(environment="production", data_dir=tmp_path, model_backend="openai")
    assert pii_keys(settings) == [new, old]
    assert not settings.pii_key_file.exists()


def test_development_creates_a_private_key_file_once(tmp_path: Path) -> None:
    settings = Settings(environment="development", data_dir=tmp_path / "data")
    first = pii_keys(settings)
    assert stat.S_IMODE(settings.pii_key_file.stat().st_mode) == 0o600
    assert pii_keys(settings) == first and len(first) == 1
    assert [p.name for p in settings.pii_key_file.parent.iterdir()] == ["pii.key"]  # no temp file left


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pii.key"
    development_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(PiiKeyFileError, match="chmod 600"):
        development_key(path)


def test_the_tables_are_migrated_as_the_models_say(engine: Engine) -> None:
    columns = [c["name"] for c in inspect(engine).get_columns("pii_originals")]
    assert columns == ["id", "turn_id", "client_id", "kind", "purpose", "policy_version", "ciphertext", "key_id", "created_at"]


def test_originals_and_reveals_cannot_be_changed_or_deleted(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        conversation = repo.start_conversation(s, "client-002")
        turn = repo.append_turn(
            s,
            repo.TurnRecord(
                conversation_id=conversation,
                request_id="r",
                client_id="client-002",
                question="请回电139****5678",
                reply="答",
                verdict="escalate",
                model="fake",
                prompt_version="p@1",
                content_id="c",
            ),
        )
        original = pii_originals.NewOriginal(
            id="o-1",
            turn_id=turn.id,
            client_id="client-002",
            kind="mobile",
            purpose="callback",
            policy_version="v",
            ciphertext="gAAAA",
            key_id="k-1",
        )
        pii_originals.keep_originals(s, [original], NOW)
        pii_originals.record_reveal(s, "o-1", actor_role="compliance", actor_id="c-1", reason="核查", outcome="revealed", created_at=NOW)
    for table in ("pii_originals", "pii_reveals"):
        for statement in (f"UPDATE {table} SET created_at = created_at", f"DELETE FROM {table}"):
            with sessions() as s, pytest.raises(DatabaseError, match="append-only"), s.begin():
                s.execute(text(statement))
