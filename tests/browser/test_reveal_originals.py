"""查看原文 in the real browser: a compliance officer and an advisor reveal a kept call-back number
with a reason, the original shows in place and the reveal is in the audit; failures show the API's
message in Chinese beside the form. The value is never stored in the browser nor put in a URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from records import pii_originals
from tests.browser.conftest import LiveServer, sign_in

MOBILE = "13912345678"
CALL_BACK = f"请让人工顾问给我回电话，我的手机号{MOBILE}"


def _call_back(server: LiveServer) -> tuple[str, str]:
    """client-002 (adv-001's) asks for a call-back and leaves a number: the turn and its kept original."""
    res = server.api("POST", "/api/chat", "dev-client-002", json={"message": CALL_BACK})
    assert res.status_code == 200, res.text
    turn_id = res.json()["turn_id"]
    with server.deps.sessions() as s:
        (entry,) = pii_originals.originals_for_turns(s, [turn_id])
    return turn_id, entry.id


def _audit(server: LiveServer, original_id: str) -> list[tuple[str, str, str, str]]:
    with server.deps.sessions() as s:
        return [(a.actor_role, a.actor_id, a.reason, a.outcome) for a in pii_originals.reveals_of(s, original_id)]


def _open_turn(page: Page, server: LiveServer, turn_id: str) -> Locator:
    sign_in(page, server.url + "/compliance", "dev-compliance-001")
    page.locator(f"#results tr[data-turn='{turn_id}']").get_by_role("button", name="查看").click()
    detail = page.locator(f"#turn[data-turn='{turn_id}']")
    expect(detail.locator("[data-reveal]")).to_contain_text("原文已加密留存（用途：回电联系）")
    expect(detail.locator("pre.reply").first).to_contain_text("139****5678")  # the question, masked
    return detail


def _nothing_kept_in_the_browser(page: Page) -> None:
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert MOBILE not in stored and MOBILE not in page.url


def test_compliance_reveals_an_original_with_a_reason_and_it_is_audited(
    page: Page, live_server: LiveServer, screenshot: Callable[[Any, str], Path]
) -> None:
    turn_id, original_id = _call_back(live_server)
    detail = _open_turn(page, live_server, turn_id)
    expect(detail).not_to_contain_text(MOBILE)

    detail.get_by_role("button", name="查看原文").click()
    reason = detail.get_by_label("查看原因")
    expect(reason).to_be_focused()
    detail.get_by_role("button", name="确认查看").click()  # no reason: the browser refuses, nothing is sent
    expect(reason).to_have_js_property("validity.valueMissing", True)
    assert _audit(live_server, original_id) == []

    reason.fill("客户投诉核查，需核对回电号码")
    detail.get_by_role("button", name="确认查看").click()
    expect(detail.locator("code[data-role=original]")).to_have_text(MOBILE)
    expect(detail.locator("[data-role=audited]")).to_contain_text("查看已记录审计")
    assert _audit(live_server, original_id) == [("compliance", "compliance-001", "客户投诉核查，需核对回电号码", "revealed")]
    _nothing_kept_in_the_browser(page)
    screenshot(page, "compliance-reveal")

    detail.get_by_role("button", name="隐藏原文").click()
    expect(detail).not_to_contain_text(MOBILE)


def test_a_refused_reveal_shows_the_apis_message_in_chinese_beside_the_form(page: Page, live_server: LiveServer) -> None:
    turn_id, original_id = _call_back(live_server)
    detail = _open_turn(page, live_server, turn_id)
    detail.get_by_role("button", name="查看原文").click()
    error = detail.locator("[data-reveal] [data-role=error]")

    detail.get_by_label("查看原因").fill("   ")  # long enough for the browser, but blank: the API refuses it (422)
    detail.get_by_role("button", name="确认查看").click()
    expect(error).to_be_visible()
    expect(error).to_contain_text("请填写查看原因（2–500个字）")
    expect(error).to_contain_text("请求号")

    page.fill("#token-form input[name=token]", "dev-adv-001")  # the tab is now signed in as an advisor (403)
    page.click("#token-form button[type=submit]")
    detail.get_by_label("查看原因").fill("核对回电号码")
    detail.get_by_role("button", name="确认查看").click()
    expect(error).to_contain_text("当前角色无权使用该功能")
    expect(detail.get_by_label("查看原因")).to_be_visible()  # the form stays, nothing was swapped in
    expect(detail).not_to_contain_text(MOBILE)
    assert _audit(live_server, original_id) == []


def test_the_advisor_reveals_a_call_back_number_on_the_leads_queue(page: Page, live_server: LiveServer) -> None:
    _, original_id = _call_back(live_server)
    sign_in(page, live_server.url + "/advisor", "dev-adv-001")
    entry = page.locator(f"#leads [data-reveal='{original_id}']")
    expect(entry).to_contain_text("手机号")
    entry.get_by_role("button", name="查看原文").click()
    entry.get_by_label("查看原因").fill("客户要求回电")
    entry.get_by_role("button", name="确认查看").click()
    revealed = page.locator(f"#leads [data-reveal='{original_id}']")
    expect(revealed.locator("code[data-role=original]")).to_have_text(MOBILE)
    expect(revealed.locator("[data-role=audited]")).to_contain_text("查看已记录审计")
    assert _audit(live_server, original_id) == [("advisor", "adv-001", "客户要求回电", "revealed")]
    _nothing_kept_in_the_browser(page)
