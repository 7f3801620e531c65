"""The HTTP contract of /api/chat: statuses, error bodies and the fields of a reply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from agent.llm.fake import FakeChatModel
from api.app import create_app

AUTH = {"Authorization": "Bearer dev-client-002"}
BODY = {"message": "我想把一半的钱买这只基金，合适吗？", "product_code": "016801"}


@pytest.fixture
def client(make_deps) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(deps=make_deps(FakeChatModel("瑞和价值成长混合A超出您的风险承受能力，不适合您。")))
    with TestClient(app) as c:
        yield c


def test_reply_has_every_field(client: TestClient) -> None:
    res = client.post("/api/chat", json=BODY, headers=AUTH)
    assert res.status_code == 200
    data = res.json()
    for field in ("answer", "reply", "sources", "risk_level", "suitability", "verdict", "disclosure", "conversation_id", "turn_id"):
        assert field in data
    assert data["suitability"][0]["outcome"] != "suitable"
    assert {"title", "publisher", "date", "section", "chunk_id"} <= set(data["sources"][0])
    assert data["disclosure"]["ai_label"] in data["reply"]
    assert res.headers["X-Request-ID"] == data["request_id"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer nope"}, 401), ({"Authorization": "Bearer dev-adv-001"}, 403)],
)
def test_only_a_client_token_may_chat(client: TestClient, headers: dict[str, str], status: int) -> None:
    res = client.post("/api/chat", json=BODY, headers=headers)
    assert res.status_code == status
    assert res.json()["error"]["message"] and res.json()["error"]["request_id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"message": ""}, 422, "empty_message"),
        ({"message": "基金" * 1500}, 413, "message_too_long"),
        ({"message": "合适吗", "product_code": "999999"}, 404, "unknown_product"),
        ({"message": "合适吗", "product_code": "../etc"}, 422, "invalid_request"),
        ({"msg": "wrong field"}, 422, "invalid_request"),
        ({"message": "你好", "conversation_id": "not-mine"}, 404, "not_found"),
    ],
)
def test_bad_input_gets_a_clear_error(client: TestClient, body: dict[str, str], status: int, code: str) -> None:
    res = client.post("/api/chat", json=body, headers=AUTH)
    assert res.status_code == status, res.text
    assert res.json()["error"]["code"] == code


def test_malformed_json_and_oversize_bodies(client: TestClient) -> None:
    res = client.post("/api/chat", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert res.status_code == 422
    res = client.post("/api/chat", content=b"x" * (70 * 1024), headers={**AUTH, "Content-Type": "application/json"})
    assert res.status_code == 413 and res.json()["error"]["code"] == "body_too_large"


def test_chat_page_and_docs_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "智能投顾" in page.text
    assert client.get("/docs").status_code == 200
    assert "/api/chat" in client.get("/openapi.json").json()["paths"]
