"""The advisor console: research with citations, one-click diagnosis, draft-edit-send re-checked by the API, leads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, sign_in

BANNED = "这只基金保本保收益，稳赚不赔。"
CLEAN = "瑞和天天利货币A风险较低，请结合自身需求决定。"


def test_advisor_drafts_edits_and_sends_a_rechecked_reply(
    page: Page, live_server: LiveServer, screenshot: Callable[[Any, str], Path]
) -> None:
    live_server.api("POST", "/api/handoff", "dev-client-002", json={"reason": "想找人聊聊"})
    sign_in(page, live_server.url + "/advisor", "dev-adv-001")
    expect(page.locator("#leads")).to_contain_text("要求人工服务")  # the leads queue, with its reason

    page.fill("#research-form input[name=q]", "货币基金")
    page.click("#research-form button[type=submit]")
    hit = page.locator("#research-results .hit").first
    expect(hit).to_contain_text("《")
    expect(hit.locator(".chip").nth(1)).to_contain_text("20")  # the publication date

    row = page.locator("#clients tr[data-client=client-002]")
    expect(row.locator(".findings")).to_be_visible()
    row.get_by_role("button", name="一键诊断").click()
    report = page.locator("#diagnosis[data-client=client-002]")
    expect(report.locator("figure.chart svg rect").first).to_be_visible()  # the allocation chart
    expect(report).to_contain_text("诊断发现")

    report.locator("#draft-form textarea[name=question]").fill("瑞和天天利货币A的风险高吗？")
    report.get_by_role("button", name="AI起草回复").click()
    draft = page.locator(".draft")
    expect(draft).to_have_attribute("data-status", "created")
    expect(draft.locator("textarea[name=text]")).not_to_be_empty()

    draft.locator("textarea[name=text]").fill(BANNED)
    draft.get_by_role("button", name="保存修改并复核").click()
    expect(page.locator(".draft")).to_have_attribute("data-status", "edited")
    expect(page.locator(".draft .verdict-block, .draft .verdict-escalate")).to_be_visible()  # re-checked: it fails
    page.locator(".draft").get_by_role("button", name="复核并发送").click()
    expect(page.locator(".draft .error")).to_contain_text("未通过合规检查")

    page.locator(".draft textarea[name=text]").fill(CLEAN)
    page.locator(".draft").get_by_role("button", name="复核并发送").click()  # saves the edit, re-checks, sends
    expect(page.locator(".draft [data-role=sent]")).to_be_visible()
    expect(page.locator(".draft pre.reply")).to_contain_text(CLEAN)
    expect(page.locator(".draft pre.reply")).to_contain_text("人工智能生成")
    screenshot(page, "advisor")

    [reply] = live_server.api("GET", "/api/replies", "dev-client-002").json()
    assert reply["text"].startswith(CLEAN)
    draft_id = (page.locator(".draft").get_attribute("id") or "").removeprefix("draft-")
    events = live_server.api("GET", f"/api/advisor/drafts/{draft_id}", "dev-adv-001").json()["events"]
    assert [e["kind"] for e in events] == ["created", "edited", "refused", "edited", "sent"]  # every edit logged
