"""Shared fixtures: real SQLite (migrated, seeded) in a temporary folder, and a turn's
dependencies built from the in-repo fakes (fake model, hashing embedder, in-memory store)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.llm.fake import FakeChatModel
from agent.tokens import seed_tiktoken_cache
from agent.turn import AgentDeps
from core.clock import FixedClock
from core.settings import Settings
from guardrails.policy import load_policy
from knowledge_base.ingest import ingest
from records.db import make_engine, migrate, session_factory
from records.seed import seed
from retrieval.embeddings import HashingEmbedder
from retrieval.search import Retriever
from retrieval.store import InMemoryStore

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _tiktoken(tmp_path_factory: pytest.TempPathFactory) -> None:
    seed_tiktoken_cache(tmp_path_factory.mktemp("tiktoken"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(environment="test", data_dir=tmp_path, model_backend="fake", model_dir=REPO / "data" / "models")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings.resolved_database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(engine)
    with factory() as session, session.begin():
        seed(session, with_dev_tokens=True)
    return factory


CORE_DOCS = ["product-016801", "product-000901", "policy-suitability-2026", "edu-money-market-vs-mixed-fund", "research-600519-20261027"]


@pytest.fixture(scope="session")
def core_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kb")
    for doc in CORE_DOCS:
        shutil.copy(REPO / "knowledge_base" / "samples" / f"{doc}.md", folder)
    return folder


@pytest.fixture
def make_deps(settings: Settings, sessions: sessionmaker[Session], core_docs: Path):  # type: ignore[no-untyped-def]
    def build(model: FakeChatModel) -> AgentDeps:
        embedder, store = HashingEmbedder(), InMemoryStore()
        ingest(core_docs, embedder, store)
        return AgentDeps(
            model=model,
            retriever=Retriever(embedder, store),
            sessions=sessions,
            policy=load_policy(),
            settings=settings,
            clock=FixedClock(NOW),
        )

    return build
