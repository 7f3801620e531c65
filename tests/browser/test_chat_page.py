"""The client's chat page: a streamed answer with its sources, risk badge, disclosure and AI label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import QUESTION, LiveServer, sign_in

# Records the answer's text at every change, to show that it arrived in pieces.
WATCH_ANSWER = """() => {
  window.answerStates = [];
  new MutationObserver(() => {
    const answer = document.querySelector('#log .answer');
    if (answer) window.answerStates.push(answer.textContent);
  }).observe(document.getElementById('log'), {childList: true, subtree: true, characterData: true});
}"""


def test_client_conversation_streams_a_cited_labelled_answer(
    page: Page, live_server: LiveServer, screenshot: Callable[[Any, str], Path]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    sign_in(page, live_server.url + "/chat", "dev-client-002")
    expect(page.locator("[data-role=disclosure]")).to_contain_text("人工智能")
    page.evaluate(WATCH_ANSWER)
    page.fill("#chat-form textarea[name=message]", QUESTION)
    page.click("#send")

    turn = page.locator("#log .turn").first
    expect(turn.locator(".q")).to_have_text(QUESTION)
    expect(turn.locator(".answer")).to_contain_text("货币市场基金")
    expect(turn.locator("[data-role=ai-label]")).to_be_visible()
    expect(turn.locator("[data-role=ai-label]")).to_contain_text("人工智能生成")
    expect(turn.locator("[data-role=ai-tag]")).to_be_visible()
    chips = turn.locator(".chip.source")
    expect(chips.first).to_be_visible()
    assert all("《" in chip and "20" in chip for chip in chips.all_inner_texts())  # title, publisher and date
    expect(turn.locator(".risk-line")).not_to_be_empty()
    expect(turn.locator(".badge").first).to_be_visible()

    states = [s for s in page.evaluate("window.answerStates") if s]
    assert len(set(states)) >= 2, states  # the answer grew sentence by sentence, not in one piece
    assert "货币市场基金" in states[0] and "备用资金" not in states[0]

    conversation = page.locator("#conversation-id")
    assert conversation.get_attribute("value")  # the next message continues the same conversation
    turn.get_by_role("button", name="没帮助").click()
    expect(turn.locator(".ok")).to_contain_text("感谢反馈")
    turn.get_by_role("button", name="转人工").click()
    expect(turn.locator("[data-role=handoff]")).to_be_visible()
    screenshot(page, "chat")

    [lead] = live_server.api("GET", "/api/advisor/leads", "dev-adv-001").json()
    assert lead["reason_code"] == "human_requested" and lead["client_id"] == "client-002"


def test_chat_page_asks_for_a_token_first(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/chat")
    page.fill("#chat-form textarea[name=message]", QUESTION)
    page.click("#send")
    expect(page.locator("#flash")).to_contain_text("访问令牌")
    expect(page.locator("#log .turn")).to_have_count(0)


def test_chat_page_shows_the_api_error_for_a_bad_token(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url + "/chat", "not-a-token")
    page.fill("#chat-form textarea[name=message]", QUESTION)
    page.click("#send")
    expect(page.locator("#flash")).to_contain_text("访问令牌无效")
    expect(page.locator("#flash")).to_contain_text("请求号")
