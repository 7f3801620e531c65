"""查看原文 on the consoles' pages: the button beside each kept original, and the fragment routes
that reveal it through the API's reveal (same roles, same audit) with the reason the page asks for."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from agent.turn import AgentDeps
from api.console_schemas import REVEAL_REASON_CHARS
from records import pii_originals
from tests.api.conftest import CALL_BACK, OTHER_ADVISOR_TOKEN, TOKENS, auth

MOBILE = "13912345678"
REASON_MESSAGE = f"请填写查看原因（{REVEAL_REASON_CHARS[0]}–{REVEAL_REASON_CHARS[1]}个字），查看将记录审计"


def kept_original(api: TestClient, deps: AgentDeps) -> tuple[str, str]:
    """A call-back turn of client-002 (adv-001's) that keeps the mobile number: the turn's and the entry's ids."""
    res = api.post("/api/chat", json={"message": CALL_BACK}, headers=auth(TOKENS["client"]))
    assert res.status_code == 200, res.text
    turn_id = res.json()["turn_id"]
    with deps.sessions() as s:
        (entry,) = pii_originals.originals_for_turns(s, [turn_id])
    return turn_id, entry.id


def audit(deps: AgentDeps, original_id: str) -> list[tuple[str, str, str, str]]:
    with deps.sessions() as s:
        return [(a.actor_role, a.actor_id, a.reason, a.outcome) for a in pii_originals.reveals_of(s, original_id)]


def reveal_form(html: str, original_id: str) -> str:
    """The reveal form of one entry in a page fragment."""
    match = re.search(rf'<div class="reveal" data-reveal="{original_id}".*?</form>', html, re.S)
    assert match, html
    return match.group(0)


def test_the_turn_detail_offers_the_button_with_the_apis_reason_limits_and_no_value(api: TestClient, deps: AgentDeps) -> None:
    turn_id, original_id = kept_original(api, deps)
    html = api.get(f"/ui/compliance/turns/{turn_id}", headers=auth(TOKENS["compliance"]))
    assert html.status_code == 200
    form = reveal_form(html.text, original_id)
    assert "查看原文" in form and "手机号" in form
    assert f'hx-post="/ui/compliance/originals/{original_id}/reveal"' in form
    assert f'minlength="{REVEAL_REASON_CHARS[0]}"' in form and f'maxlength="{REVEAL_REASON_CHARS[1]}"' in form and "required" in form
    assert MOBILE not in html.text


def test_the_leads_queue_offers_the_advisor_the_button(api: TestClient, deps: AgentDeps) -> None:
    _, original_id = kept_original(api, deps)
    html = api.get("/ui/advisor/leads", headers=auth(TOKENS["advisor"]))
    assert html.status_code == 200
    assert f'hx-post="/ui/advisor/originals/{original_id}/reveal"' in reveal_form(html.text, original_id)
    assert MOBILE not in html.text


def test_compliance_reveals_in_place_and_the_trimmed_reason_is_audited(api: TestClient, deps: AgentDeps) -> None:
    _, original_id = kept_original(api, deps)
    res = api.post(f"/ui/compliance/originals/{original_id}/reveal", data={"reason": "  投诉核查 "}, headers=auth(TOKENS["compliance"]))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("text/html") and res.headers["cache-control"] == "no-store"
    assert f'<code data-role="original">{MOBILE}</code>' in res.text and "查看已记录审计" in res.text
    assert audit(deps, original_id) == [("compliance", "compliance-001", "投诉核查", "revealed")]


def test_the_clients_advisor_reveals_and_another_advisor_gets_404_unaudited(api: TestClient, deps: AgentDeps) -> None:
    _, original_id = kept_original(api, deps)
    url = f"/ui/advisor/originals/{original_id}/reveal"
    other = api.post(url, data={"reason": "看看"}, headers=auth(OTHER_ADVISOR_TOKEN))
    assert other.status_code == 404 and other.json()["error"]["message"] == "未找到该加密留存记录"
    assert MOBILE not in other.text and audit(deps, original_id) == []
    own = api.post(url, data={"reason": "客户要求回电"}, headers=auth(TOKENS["advisor"]))
    assert own.status_code == 200 and MOBILE in own.text
    assert audit(deps, original_id) == [("advisor", "adv-001", "客户要求回电", "revealed")]


def test_a_missing_blank_or_too_long_reason_is_refused_in_chinese_and_nothing_is_audited(api: TestClient, deps: AgentDeps) -> None:
    _, original_id = kept_original(api, deps)
    url = f"/ui/compliance/originals/{original_id}/reveal"
    for form in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "查"}, {"reason": "查" * (REVEAL_REASON_CHARS[1] + 1)}):
        res = api.post(url, data=form, headers=auth(TOKENS["compliance"]))
        assert res.status_code == 422, (form, res.text)
        assert res.json()["error"]["message"] == REASON_MESSAGE and MOBILE not in res.text
    assert audit(deps, original_id) == []


def test_an_unknown_original_is_404_in_chinese(api: TestClient) -> None:
    res = api.post("/ui/compliance/originals/no-such-entry/reveal", data={"reason": "核查"}, headers=auth(TOKENS["compliance"]))
    assert res.status_code == 404 and res.json()["error"]["message"] == "未找到该加密留存记录"
