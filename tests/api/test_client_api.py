"""The client's streamed chat (SSE), history, feedback, hand-off and the replies an advisor sent."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from agent.turn import AgentDeps
from records.leads import list_leads
from records.repository import add_token
from tests.api.conftest import QUESTION, REPLY, TOKENS, auth

CLIENT = auth(TOKENS["client"])


def parse_sse(raw: str) -> list[tuple[str, dict[str, object]]]:
    """Events of an SSE body as (event name, JSON data); comments (pings) are skipped."""
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        name = next((line[len("event: ") :] for line in lines if line.startswith("event: ")), "message")
        data = "\n".join(line[len("data: ") :] for line in lines if line.startswith("data: "))
        events.append((name, json.loads(data)))
    return events


def test_stream_sends_released_text_then_sources_verdict_done(api: TestClient) -> None:
    with api.stream("POST", "/api/chat/stream", json={"message": QUESTION}, headers=CLIENT) as res:
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/event-stream")
        request_id = res.headers["X-Request-ID"]
        events = parse_sse(res.read().decode())
    names = [name for name, _ in events]
    assert names.count("text") >= 2  # sentence by sentence, not the whole answer at the end
    assert names[-3:] == ["sources", "verdict", "done"] and set(names[:-3]) == {"text"}
    text = "".join(str(data["text"]) for name, data in events if name == "text")
    done = events[-1][1]
    verdict = events[-2][1]
    assert text.strip() and str(done["reply"]).startswith(text.strip())  # the streamed text is the answer shown
    assert done["request_id"] == request_id and done["turn_id"]
    assert verdict["action"] in ("pass", "rewrite", "block", "escalate") and "risk_level" in verdict
    assert isinstance(events[-3][1]["sources"], list)
    assert done["disclosure"]["ai_label"] in done["reply"]  # type: ignore[index]


def test_stream_refuses_bad_input_before_streaming(api: TestClient) -> None:
    res = api.post("/api/chat/stream", json={"message": "   "}, headers=CLIENT)
    assert res.status_code == 422 and res.json()["error"]["code"] == "empty_message"
    res = api.post("/api/chat/stream", json={"message": "你好", "product_code": "999999"}, headers=CLIENT)
    assert res.status_code == 404 and res.json()["error"]["message"] == "未找到该产品"


def test_stream_reports_a_failed_turn_as_an_error_event(api: TestClient, deps: AgentDeps) -> None:
    with deps.sessions() as session, session.begin():
        add_token(session, "token-of-a-removed-client", "client", "client-999")  # the turn finds no such client
    with api.stream("POST", "/api/chat/stream", json={"message": QUESTION}, headers=auth("token-of-a-removed-client")) as res:
        events = parse_sse(res.read().decode())
    assert [name for name, _ in events] == ["error"]
    error = events[0][1]
    assert error["code"] == "unknown_client" and error["message"] == "未找到该客户" and error["request_id"] == res.headers["X-Request-ID"]


def test_history_lists_only_the_callers_conversations(api: TestClient) -> None:
    first = api.post("/api/chat", json={"message": QUESTION}, headers=CLIENT).json()
    api.post("/api/chat", json={"message": "再说说费用", "conversation_id": first["conversation_id"]}, headers=CLIENT)
    listed = api.get("/api/conversations", headers=CLIENT).json()["conversations"]
    assert [c["id"] for c in listed] == [first["conversation_id"]] and listed[0]["turns"] == 2
    assert listed[0]["title"] == QUESTION
    history = api.get(f"/api/conversations/{first['conversation_id']}", headers=CLIENT).json()
    assert [t["seq"] for t in history["turns"]] == [1, 2]
    assert history["turns"][0]["reply"] == first["reply"]


def test_feedback_and_handoff(api: TestClient, deps: AgentDeps) -> None:
    turn = api.post("/api/chat", json={"message": QUESTION}, headers=CLIENT).json()
    res = api.post(f"/api/turns/{turn['turn_id']}/feedback", json={"helpful": False, "reason": "没有回答我的问题"}, headers=CLIENT)
    assert res.status_code == 201 and res.json()["helpful"] is False
    bad = api.post(f"/api/turns/{turn['turn_id']}/feedback", json={"helpful": "maybe"}, headers=CLIENT)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    extra = api.post(f"/api/turns/{turn['turn_id']}/feedback", json={"helpful": True, "stars": 5}, headers=CLIENT)
    assert extra.status_code == 422
    lead = api.post("/api/handoff", json={"reason": "想和投顾聊聊定投", "turn_id": turn["turn_id"]}, headers=CLIENT)
    assert lead.status_code == 201
    with deps.sessions() as session:
        [row] = list_leads(session, client_id="client-002")
    assert row.reason_code == "human_requested" and row.advisor_id == "adv-001" and row.turn_id == turn["turn_id"]


def test_fake_reply_is_what_the_model_said(api: TestClient) -> None:
    res = api.post("/api/chat", json={"message": QUESTION}, headers=CLIENT).json()
    assert REPLY.split("。")[0] in res["answer"]
