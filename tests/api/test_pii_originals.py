"""Encrypted originals through the API: kept only as the retention policy says, never in clear in
the database, the compliance view or the export; revealed to the client's advisor or compliance
with a reason, and every reveal (also a failed one) is audited."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from agent.turn import AgentDeps
from api.app import create_app
from guardrails.pii_vault import PiiCipher, new_key
from records import pii_originals, schema
from tests.api.conftest import OTHER_ADVISOR_TOKEN, TOKENS, auth

MOBILE = "13912345678"
ID_NUMBER = "11010519491231002X"
CARD = "6222020200112233446"
MESSAGE = f"请让人工顾问给我回电话，手机{MOBILE}，身份证{ID_NUMBER}，银行卡{CARD}"
NOTE = "原文已加密留存（用途：回电联系）"


def call_back(api: TestClient) -> str:
    res = api.post("/api/chat", json={"message": MESSAGE}, headers=auth(TOKENS["client"]))
    assert res.status_code == 200, res.text
    assert "human_requested" in res.json()["leads"]
    return str(res.json()["turn_id"])


def kept(deps: AgentDeps, turn_id: str) -> list[pii_originals.OriginalView]:
    with deps.sessions() as s:
        return pii_originals.originals_for_turns(s, [turn_id])


def database_bytes(deps: AgentDeps) -> bytes:
    with deps.sessions() as s:
        s.execute(text("PRAGMA wal_checkpoint(FULL)"))
    path = Path(deps.settings.resolved_database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_only_the_mobile_is_kept_encrypted_and_nothing_unmasked_reaches_the_database(api: TestClient, deps: AgentDeps) -> None:
    turn_id = call_back(api)
    (entry,) = kept(deps, turn_id)
    assert (entry.kind, entry.purpose, entry.client_id, entry.key_id) == ("mobile", "callback", "client-002", deps.cipher.primary_key_id)
    with deps.sessions() as s:
        assert s.scalar(select(schema.PiiOriginal.kind).where(schema.PiiOriginal.kind.in_(["id_number", "bank_card"]))) is None
        lead_detail = s.scalar(select(schema.Lead.detail).where(schema.Lead.turn_id == turn_id))
    assert lead_detail and MOBILE not in lead_detail
    raw = database_bytes(deps)
    for secret in (MOBILE, ID_NUMBER, CARD):
        assert secret.encode() not in raw, secret


def test_the_compliance_view_and_export_show_the_masked_text_and_the_note(api: TestClient, deps: AgentDeps) -> None:
    turn_id = call_back(api)
    officer = auth(TOKENS["compliance"])
    detail = api.get(f"/api/compliance/turns/{turn_id}", headers=officer)
    assert detail.status_code == 200
    assert [r["note"] for r in detail.json()["retained"]] == [NOTE]
    assert "139****5678" in detail.json()["turn"]["question"]
    html = api.get(f"/ui/compliance/turns/{turn_id}", headers=officer)
    assert html.status_code == 200 and NOTE in html.text
    exports = [api.get("/api/compliance/export", params={"format": fmt}, headers=officer) for fmt in ("csv", "jsonl")]
    for res in (detail, html, *exports):
        assert res.status_code == 200
        for secret in (MOBILE, ID_NUMBER, CARD):
            assert secret not in res.text, secret


def test_the_clients_advisor_sees_the_entry_on_the_lead_and_reveals_it_with_a_reason(api: TestClient, deps: AgentDeps) -> None:
    turn_id = call_back(api)
    advisor = auth(TOKENS["advisor"])
    lead = next(lead for lead in api.get("/api/advisor/leads", headers=advisor).json() if lead["turn_id"] == turn_id)
    (listed,) = lead["retained"]
    assert listed["note"] == NOTE and MOBILE not in str(lead)

    url = f"/api/advisor/originals/{listed['id']}/reveal"
    assert api.post(url, json={}, headers=advisor).status_code == 422  # no reason, no reveal
    res = api.post(url, json={"reason": "客户要求回电"}, headers=advisor)
    assert res.status_code == 200 and res.headers["cache-control"] == "no-store"
    assert res.json()["value"] == MOBILE and res.json()["original"]["kind"] == "mobile"

    officer = auth(TOKENS["compliance"])
    assert api.post(url.replace("advisor/", "compliance/", 1), json={"reason": "投诉核查"}, headers=officer).status_code == 200
    with deps.sessions() as s:
        audit = pii_originals.reveals_of(s, listed["id"])
    assert sorted((a.actor_role, a.actor_id, a.reason, a.outcome) for a in audit) == [
        ("advisor", "adv-001", "客户要求回电", "revealed"),
        ("compliance", "compliance-001", "投诉核查", "revealed"),
    ]
    assert all(a.created_at for a in audit)


def test_another_advisor_cannot_reveal_and_nothing_is_audited(api: TestClient, deps: AgentDeps) -> None:
    (entry,) = kept(deps, call_back(api))
    res = api.post(f"/api/advisor/originals/{entry.id}/reveal", json={"reason": "看看"}, headers=auth(OTHER_ADVISOR_TOKEN))
    assert res.status_code == 404 and MOBILE not in res.text
    with deps.sessions() as s:
        assert pii_originals.reveals_of(s, entry.id) == []


def test_a_wrong_key_fails_cleanly_and_the_attempt_is_audited(api: TestClient, deps: AgentDeps) -> None:
    (entry,) = kept(deps, call_back(api))
    other_key = replace(deps, pii_cipher=PiiCipher([new_key()]))
    with TestClient(create_app(deps=other_key)) as wrong:
        res = wrong.post(f"/api/compliance/originals/{entry.id}/reveal", json={"reason": "核查"}, headers=auth(TOKENS["compliance"]))
    assert res.status_code == 503
    assert res.json()["error"]["message"] == "加密留存的原文无法解密：密钥未配置或不匹配（已记录）"
    assert MOBILE not in res.text
    with deps.sessions() as s:
        assert [a.outcome for a in pii_originals.reveals_of(s, entry.id)] == ["failed"]


def test_no_hand_off_keeps_nothing(api: TestClient, deps: AgentDeps) -> None:
    res = api.post("/api/chat", json={"message": f"瑞和天天利货币A的风险高吗？我手机{MOBILE}"}, headers=auth(TOKENS["client"]))
    assert res.status_code == 200
    assert kept(deps, res.json()["turn_id"]) == []
