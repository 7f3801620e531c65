"""The chat page's list of the client's conversations: each new one is listed, one reopens with its
history and continues, and on a phone the list folds away."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import QUESTION, LiveServer, sign_in

SECOND = "我的手机号13912345678，货币基金和混合基金有什么区别？"
SECOND_SHOWN = "我的手机号139****5678，货币基金和混合基金有什么区别？"  # masked in the log, so in the list and history
FOLLOW_UP = "再说说瑞和天天利货币A的费用"


def ask(page: Page, message: str) -> Locator:
    """Send a message and wait for its answer to finish (its AI label is the last thing shown)."""
    before = page.locator("#log .turn").count()
    page.fill("#chat-form textarea[name=message]", message)
    page.click("#send")
    turn = page.locator("#log .turn").nth(before)
    expect(turn.locator("[data-role=ai-label]")).to_be_visible()
    return turn


def test_conversations_are_listed_reopened_and_continued(
    page: Page, live_server: LiveServer, screenshot: Callable[[Any, str], Path]
) -> None:
    sign_in(page, live_server.url + "/chat", "dev-client-002")
    items = page.locator("#conversation-list [data-conversation-id]")
    expect(page.locator("#conversation-list [data-role=empty]")).to_contain_text("还没有对话记录")

    ask(page, QUESTION)
    expect(items).to_have_count(1)
    first_id = page.locator("#conversation-id").get_attribute("value")
    assert first_id
    expect(items.first).to_have_attribute("data-conversation-id", first_id)
    expect(items.first).to_have_attribute("aria-current", "true")

    page.get_by_role("button", name="新对话").click()
    expect(page.locator("#log .turn")).to_have_count(0)
    expect(page.locator("#conversation-id")).to_have_value("")
    expect(page.locator("#conversation-list [aria-current]")).to_have_count(0)
    ask(page, SECOND)
    expect(items).to_have_count(2)
    second_id = page.locator("#conversation-id").get_attribute("value")
    assert second_id and second_id != first_id
    expect(items.nth(0)).to_have_attribute("data-conversation-id", second_id)  # newest first
    expect(items.nth(0)).to_contain_text("139****5678")
    expect(items.nth(0)).not_to_contain_text("13912345678")
    expect(items.nth(1)).to_contain_text(QUESTION)
    expect(items.nth(1)).to_contain_text("1轮")

    items.nth(1).click()  # reopen the first: its history, as it was shown
    expect(page.locator("#conversation-id")).to_have_value(first_id)
    expect(items.nth(1)).to_have_attribute("aria-current", "true")
    expect(items.nth(0)).not_to_have_attribute("aria-current", "true")
    [turn] = page.locator("#log .turn").all()
    expect(turn.locator(".q")).to_have_text(QUESTION)
    expect(turn.locator(".answer")).to_contain_text("货币市场基金")
    expect(turn.locator("[data-role=ai-tag]")).to_be_visible()
    expect(turn.locator("[data-role=ai-label]")).to_contain_text("人工智能生成")
    expect(turn.locator(".risk-line")).not_to_be_empty()
    expect(turn.locator(".chip.source").first).to_be_visible()
    [logged] = live_server.api("GET", f"/api/conversations/{first_id}", "dev-client-002").json()["turns"]
    assert logged["reply"].startswith(turn.locator(".answer").inner_text().strip())  # the logged text, not a new one

    ask(page, FOLLOW_UP)  # continues the reopened conversation
    expect(page.locator("#log .turn")).to_have_count(2)
    expect(page.locator("#conversation-id")).to_have_value(first_id)
    expect(items.nth(0)).to_have_attribute("data-conversation-id", first_id)  # latest activity first
    expect(items.nth(0)).to_contain_text("2轮")
    expect(items.nth(0)).to_have_attribute("aria-current", "true")
    expect(items).to_have_count(2)
    turns = live_server.api("GET", f"/api/conversations/{first_id}", "dev-client-002").json()["turns"]
    assert [t["question"] for t in turns] == [QUESTION, FOLLOW_UP]
    screenshot(page, "chat-conversations")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the list folds away
    expect(page.locator("#conversation-list")).to_be_hidden()
    toggle = page.get_by_role("button", name="历史对话")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(items.nth(1)).to_be_visible()
    items.nth(1).click()
    expect(page.locator("#conversation-list")).to_be_hidden()
    expect(page.locator("#log .turn .q")).to_have_text([SECOND_SHOWN])
    expect(page.locator("#conversation-id")).to_have_value(second_id)
    screenshot(page, "chat-conversations-phone")


def test_another_clients_conversation_does_not_open(page: Page, live_server: LiveServer) -> None:
    theirs = live_server.api("POST", "/api/chat", "dev-client-003", json={"message": QUESTION}).json()["conversation_id"]
    sign_in(page, live_server.url + "/chat", "dev-client-002")
    expect(page.locator("#conversation-list [data-role=empty]")).to_be_visible()  # theirs is not listed
    page.evaluate(
        """id => { const b = document.createElement('button');
          b.id = 'probe'; b.setAttribute('hx-get', '/ui/conversations/' + id); b.setAttribute('hx-target', '#log');
          document.body.append(b); htmx.process(b); }""",
        theirs,
    )
    page.click("#probe")
    expect(page.locator("#flash")).to_contain_text("未找到该会话")
    expect(page.locator("#log .turn")).to_have_count(0)
    expect(page.locator("#conversation-id")).to_have_value("")
