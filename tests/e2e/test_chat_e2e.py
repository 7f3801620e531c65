"""End to end over HTTP: a real uvicorn server on loopback, the real 0.5B model (llama.cpp),
the real multilingual-e5 embedder, real Chroma and real SQLite. Properties, not wording."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from agent.runtime import build_deps, open_store
from api.app import create_app
from core.settings import Settings
from guardrails.claims import find_claims
from guardrails.models import SuitabilityResult
from guardrails.output_rails import ReplyContext, check_reply
from guardrails.policy import load_policy
from knowledge_base.ingest import ingest
from records import repository as repo
from records.seed import seed
from tests.conftest import REPO

pytestmark = pytest.mark.e2e

KB_DOCS = [
    "product-016801",
    "product-000901",
    "product-003210",
    "policy-suitability-2026",
    "policy-ai-advisory-risk-disclosure",
    "edu-money-market-vs-mixed-fund",
    "edu-risk-levels-matching",
    "faq-fund-fees",
    "research-600519-20261027",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    data = tmp_path_factory.mktemp("e2e")
    settings = Settings(
        environment="test",
        data_dir=data,
        model_dir=REPO / "data" / "models",
        model_backend="local",
        local_model="qwen2.5-coder-0.5b",
        generation_timeout_s=120,
    )
    deps = build_deps(settings)  # assembles the GGUF once into data/models, migrates the database
    kb = data / "kb"
    kb.mkdir()
    for doc in KB_DOCS:
        shutil.copy(REPO / "knowledge_base" / "samples" / f"{doc}.md", kb)
    report = ingest(kb, deps.retriever.embedder, open_store(settings))
    assert report.failures == [] and report.chunks > 0
    deps.retriever.refresh()
    with deps.sessions() as session, session.begin():
        seed(session, with_dev_tokens=True)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)  # requests queue here until the server accepts: no readiness polling
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(create_app(settings, deps=deps), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", settings
    uv.should_exit = True
    thread.join(timeout=30)
    sock.close()


def test_sample_question_is_grounded_guarded_and_logged(server: tuple[str, Settings]) -> None:
    base, settings = server
    body = {"message": "我想把一半的钱买这只基金，合适吗？", "product_code": "016801"}
    res = httpx.post(f"{base}/api/chat", json=body, headers={"Authorization": "Bearer dev-client-002"}, timeout=300)
    assert res.status_code == 200, res.text
    data = res.json()
    policy = load_policy()

    # The verdict comes from the records, not the model: R3 is above a C2 client's class.
    (suit,) = data["suitability"]
    assert suit["product_risk"] == "R3" and suit["client_class"] == "C2" and suit["outcome"] != "suitable"
    assert data["risk_level"] == "R3"
    # The text shown never calls the fund suitable and makes no banned claim.
    ctx = ReplyContext(suitability=[SuitabilityResult(**suit)], canary=settings.prompt_canary)
    assert "suitability.above_class" not in {h.rule_id for h in check_reply(data["answer"], ctx, policy)}
    assert find_claims(data["answer"], policy) == []
    assert settings.prompt_canary not in data["reply"]
    # Disclosures and the AI label, in the text and in the metadata.
    for line in (policy.disclosure.risk_line, policy.disclosure.ai_label):
        assert line in data["reply"]
    assert data["disclosure"]["generated_by"].endswith("qwen2.5-coder-0.5b-instruct-q4_k_m")
    assert data["verdict"]["action"] in {"pass", "rewrite", "block"}
    # Sources are real chunks of public documents, with their citation fields.
    store_ids = open_store(settings).ids()
    assert data["sources"]
    for source in data["sources"]:
        assert source["chunk_id"] in store_ids and source["doc_id"] in KB_DOCS
        assert source["title"] and source["publisher"] and source["date"]
    assert any(s["doc_id"] == "product-016801" for s in data["sources"])

    # The turn was in the log, with the exact text shown, before the reply came back.
    from records.db import make_engine, session_factory

    with session_factory(make_engine(settings.resolved_database_url))() as session:
        turn = repo.get_turn(session, data["turn_id"])
    assert turn is not None and turn.reply == data["reply"] and turn.verdict == data["verdict"]["action"]
    assert turn.model == data["model"] and turn.prompt_version == data["prompt_version"]


def test_unknown_token_is_refused_by_the_real_server(server: tuple[str, Settings]) -> None:
    base, _ = server
    res = httpx.post(f"{base}/api/chat", json={"message": "你好"}, headers={"Authorization": "Bearer nope"}, timeout=30)
    assert res.status_code == 401 and res.json()["error"]["request_id"]
