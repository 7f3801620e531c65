"""The client's list of their own conversations and the history of one, as the chat page reopens it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from agent.turn import AgentDeps
from api.routes.pages import PAGE_SIZE
from api.schemas import TITLE_CHARS, conversation_title
from records import repository as repo
from records.repository import TurnRecord
from tests.api.conftest import QUESTION, TOKENS, Foreign, auth

CLIENT = auth(TOKENS["client"])
PHONE = "13912345678"


def ask(api: TestClient, message: str, conversation_id: str | None = None) -> dict[str, Any]:
    res = api.post("/api/chat", json={"message": message, "conversation_id": conversation_id}, headers=CLIENT)
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def listed(api: TestClient, **params: int) -> dict[str, Any]:
    res = api.get("/api/conversations", params=params, headers=CLIENT)
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def test_own_conversations_latest_activity_first(api: TestClient, foreign: Foreign) -> None:
    first = ask(api, QUESTION)["conversation_id"]
    second = ask(api, "货币基金和混合基金有什么区别？")["conversation_id"]
    page = listed(api)
    assert [c["id"] for c in page["conversations"]] == [second, first]  # the other client's are not listed
    assert page["total"] == 2 and page["offset"] == 0 and page["limit"] == 20
    ask(api, "再说说费用", first)  # continuing a conversation brings it to the top
    [top, below] = listed(api)["conversations"]
    assert (top["id"], top["turns"], top["title"]) == (first, 2, QUESTION)
    assert (below["id"], below["turns"]) == (second, 1)
    started, last = datetime.fromisoformat(top["started_at"]), datetime.fromisoformat(top["last_at"])
    assert started.tzinfo is not None and started < datetime.fromisoformat(below["started_at"]) < last  # ordered by activity
    assert set(top) == {"id", "title", "started_at", "last_at", "turns"}


def test_pages_and_their_bounds(api: TestClient) -> None:
    made = [ask(api, f"第{i}个问题：货币基金风险高吗？")["conversation_id"] for i in range(3)]
    newest_first = made[::-1]
    one = listed(api, limit=2)
    assert [c["id"] for c in one["conversations"]] == newest_first[:2] and one["total"] == 3
    two = listed(api, limit=2, offset=2)
    assert [c["id"] for c in two["conversations"]] == newest_first[2:] and two["offset"] == 2
    assert listed(api, offset=3)["conversations"] == [] and listed(api, offset=3)["total"] == 3
    assert len(listed(api, limit=50)["conversations"]) == 3
    for params in ({"limit": 0}, {"limit": 51}, {"offset": -1}, {"offset": 10**20}, {"limit": "all"}):
        res = api.get("/api/conversations", params=params, headers=CLIENT)
        assert res.status_code == 422, (params, res.text)
        assert res.json()["error"]["code"] == "invalid_request"


def test_history_is_the_turns_as_shown(api: TestClient) -> None:
    first = ask(api, QUESTION)
    second = ask(api, "再说说费用", first["conversation_id"])
    res = api.get(f"/api/conversations/{first['conversation_id']}", headers=CLIENT)
    assert res.status_code == 200
    turns = res.json()["turns"]
    assert [t["id"] for t in turns] == [first["turn_id"], second["turn_id"]] and [t["seq"] for t in turns] == [1, 2]
    for turn, said in zip(turns, (first, second), strict=True):
        assert turn["reply"] == said["reply"] and turn["sources"] == said["sources"]
        assert turn["ai_label"] == said["disclosure"]["ai_label"] and turn["reply"].endswith(turn["ai_label"])
        assert not {"draft", "rules", "suitability", "timings", "model", "intent"} & set(turn)  # nothing internal


def test_another_clients_conversation_is_not_found(api: TestClient, foreign: Foreign) -> None:
    theirs = api.get(f"/api/conversations/{foreign.conversation_id}", headers=CLIENT)
    missing = api.get(f"/api/conversations/{uuid.uuid4()}", headers=CLIENT)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["message"] == missing.json()["error"]["message"] == "未找到该会话"
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"]  # its existence is not revealed
    assert foreign.conversation_id not in theirs.text
    mine = api.get(f"/api/conversations/{foreign.conversation_id}", headers=auth("dev-client-003"))
    assert mine.status_code == 200


def test_titles_mask_personal_data(api: TestClient) -> None:
    said = ask(api, f"我的手机号是{PHONE}，请问瑞和天天利货币A的风险高吗？")
    [item] = listed(api)["conversations"]
    assert PHONE not in item["title"] and "139****5678" in item["title"]
    assert len(item["title"]) <= TITLE_CHARS and item["title"].endswith("…")
    history = api.get(f"/api/conversations/{said['conversation_id']}", headers=CLIENT).text
    assert PHONE not in history


@pytest.mark.parametrize(
    ("question", "title"),
    [
        (None, "新对话"),
        ("  \n ", "新对话"),
        ("货币基金\n风险  高吗？", "货币基金 风险 高吗？"),
        ("请看" + "很" * 14 + PHONE, "请看" + "很" * 14 + "139****…"),  # masked before it is cut
        ("邮箱 wang.li@example.com", "邮箱 w***@example.com"),
    ],
)
def test_conversation_title(question: str | None, title: str) -> None:
    assert conversation_title(question) == title


def _log_conversations(deps: AgentDeps, count: int) -> None:
    with deps.sessions() as session, session.begin():
        for i in range(count):
            conversation_id = repo.start_conversation(session, "client-002")
            record = TurnRecord(
                conversation_id=conversation_id,
                request_id=f"r{i}",
                client_id="client-002",
                question=f"第{i}个问题",
                reply=f"第{i}个回答\n\n【AI生成】",
                verdict="pass",
                model="fake",
                prompt_version="p",
                content_id=f"c{i}",
            )
            repo.append_turn(session, record)


def test_chat_page_list_fragment(api: TestClient, deps: AgentDeps) -> None:
    empty = api.get("/ui/conversations", headers=CLIENT)
    assert empty.status_code == 200 and "还没有对话记录" in empty.text
    ask(api, f"我的手机号是{PHONE}，请问瑞和天天利货币A的风险高吗？")
    _log_conversations(deps, PAGE_SIZE)
    first = api.get("/ui/conversations", headers=CLIENT).text
    assert first.count("data-conversation-id=") == PAGE_SIZE and "还没有对话记录" not in first
    assert f'hx-get="/ui/conversations?offset={PAGE_SIZE}"' in first and "加载更多" in first
    rest = api.get("/ui/conversations", params={"offset": PAGE_SIZE}, headers=CLIENT).text
    assert rest.count("data-conversation-id=") == 1 and "139****5678" in rest and PHONE not in rest
    assert "加载更多" not in rest and "还没有对话记录" not in rest


def test_chat_page_history_fragment_is_the_logged_reply(api: TestClient) -> None:
    said = ask(api, QUESTION)
    html = api.get(f"/ui/conversations/{said['conversation_id']}", headers=CLIENT).text
    answer, risk, data, label = said["reply"].split("\n\n")  # the answer is one paragraph here
    assert f'<div class="answer">{escape(answer)}</div>' in html
    assert f'<p class="risk-line">{escape(risk)}</p>' in html and f'<p class="data-line">{escape(data)}</p>' in html
    assert f'<p class="ai-label" data-role="ai-label">{escape(label)}</p>' in html
    assert f'value="{said["conversation_id"]}"' in html  # the next message continues it
