"""An app on the in-repo fakes and real SQLite, its tokens, and records owned by someone else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from agent.llm.fake import FakeChatModel
from agent.turn import AgentDeps
from api.app import create_app
from core.settings import Settings
from records import pii_originals
from records.repository import add_token

REPLY = "瑞和天天利货币A是货币市场基金，风险较低。它适合存放短期备用资金。"
QUESTION = "瑞和天天利货币A的风险高吗？"
CALL_BACK = "请让人工顾问给我回电话，我的手机号13912345678"
ADMIN_TOKEN = "admin-secret-for-tests"
TOKENS = {
    "client": "dev-client-002",  # adv-001's client
    "advisor": "dev-adv-001",
    "compliance": "dev-compliance-001",
    "admin": ADMIN_TOKEN,
}
OTHER_CLIENT, OTHER_CLIENT_TOKEN, OTHER_ADVISOR_TOKEN = "client-003", "dev-client-003", "dev-adv-002"  # adv-002's
METRICS_TOKEN = "metrics-scraper-secret-for-tests"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings, with a metrics scraper's token."""
    return settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})


@pytest.fixture
def deps(make_deps: Callable[[FakeChatModel], AgentDeps]) -> AgentDeps:
    built = make_deps(FakeChatModel(REPLY))
    with built.sessions() as session, session.begin():
        add_token(session, ADMIN_TOKEN, "admin", "admin-001")
    return built


@pytest.fixture
def api(deps: AgentDeps) -> Iterator[TestClient]:
    with TestClient(create_app(deps=deps)) as client:
        yield client


@dataclass(frozen=True)
class Foreign:
    """Records that belong to client-003 and advisor adv-002: no test caller other than compliance may see them."""

    conversation_id: str
    turn_id: str
    draft_id: str
    lead_id: str
    original_id: str

    def markers(self) -> list[str]:
        return [OTHER_CLIENT, self.conversation_id, self.turn_id, self.draft_id, self.lead_id, self.original_id]


@pytest.fixture
def foreign(api: TestClient, deps: AgentDeps) -> Foreign:
    turn = api.post("/api/chat", json={"message": QUESTION}, headers=auth(OTHER_CLIENT_TOKEN))
    assert turn.status_code == 200, turn.text
    draft = api.post(f"/api/advisor/clients/{OTHER_CLIENT}/drafts", json={"question": QUESTION}, headers=auth(OTHER_ADVISOR_TOKEN))
    assert draft.status_code == 201, draft.text
    lead = api.post("/api/handoff", json={"reason": "想找人聊聊"}, headers=auth(OTHER_CLIENT_TOKEN))
    assert lead.status_code == 201, lead.text
    call_back = api.post("/api/chat", json={"message": CALL_BACK}, headers=auth(OTHER_CLIENT_TOKEN))
    assert call_back.status_code == 200, call_back.text
    with deps.sessions() as session:
        (original,) = pii_originals.originals_for_turns(session, [call_back.json()["turn_id"]])
    return Foreign(turn.json()["conversation_id"], turn.json()["turn_id"], draft.json()["id"], lead.json()["id"], original.id)
