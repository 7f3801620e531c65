"""Every page under its Content-Security-Policy: no violation while it loads, streams, swaps and draws charts.

Violations are caught twice: the document's ``securitypolicyviolation`` events (an init script
records them before any page script runs) and Chromium's console errors that name the policy. A
control test shows that both catch a violation and that the policy is enforced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from tests.browser.conftest import QUESTION, LiveServer, sign_in

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample}`);
});
"""
# Stands in for Swagger UI's bundle from the CDN (the machine's network is closed): enough for the
# inline script that starts it to run, so that the policy's hash of that script is what is tested.
SWAGGER_STUB = "window.SwaggerUIBundle = Object.assign(() => ({}), {presets: {apis: {}}, SwaggerUIStandalonePreset: {}});"


@dataclass
class Watched:
    page: Page
    console: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        events: list[str] = self.page.evaluate("window.cspViolations")
        return events + self.console


@pytest.fixture
def watched(page: Page) -> Iterator[Watched]:
    seen = Watched(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            seen.console.append(message.text)

    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", on_console)
    yield seen


def _home(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    expect(page.locator("h1")).to_have_text("智能投顾")


def _chat(page: Page, server: LiveServer) -> None:
    sign_in(page, server.url + "/chat", "dev-client-002")
    page.fill("#chat-form textarea[name=message]", QUESTION)
    page.click("#send")
    turn = page.locator("#log .turn").first
    expect(turn.locator("[data-role=ai-label]")).to_be_visible()  # streamed over SSE, parts swapped in
    expect(page.locator("#chat-form textarea[name=message]")).to_have_value("")  # cleared by app.js, not hx-on
    turn.get_by_role("button", name="没帮助").click()
    expect(turn.locator(".ok")).to_contain_text("感谢反馈")


def _advisor(page: Page, server: LiveServer) -> None:
    sign_in(page, server.url + "/advisor", "dev-adv-001")
    page.locator("#clients tr[data-client=client-002]").get_by_role("button", name="一键诊断").click()
    expect(page.locator("#diagnosis figure.chart svg rect").first).to_be_visible()
    expect(page.locator("#leads")).not_to_contain_text("登录后显示")


def _compliance(page: Page, server: LiveServer) -> None:
    turn_id = server.api("POST", "/api/chat", "dev-client-002", json={"message": QUESTION}).json()["turn_id"]
    sign_in(page, server.url + "/compliance", "dev-compliance-001")
    expect(page.locator("figure[data-chart=verdicts] .legend .swatch").first).to_be_visible()  # an SVG swatch, no style attribute
    page.locator(f"#results tr[data-turn='{turn_id}']").get_by_role("button", name="查看").click()
    expect(page.locator(f"#turn[data-turn='{turn_id}']")).to_be_visible()


PAGES: dict[str, Callable[[Page, LiveServer], None]] = {"home": _home, "chat": _chat, "advisor": _advisor, "compliance": _compliance}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_runs_without_a_policy_violation(watched: Watched, live_server: LiveServer, name: str) -> None:
    PAGES[name](watched.page, live_server)
    assert watched.page.evaluate("typeof htmx") == "object"  # the vendored scripts did load
    assert watched.violations() == []


def test_swagger_ui_starts_under_the_docs_policy(watched: Watched, live_server: LiveServer) -> None:
    def cdn(route: Route) -> None:
        script = route.request.url.endswith(".js")
        route.fulfill(content_type="text/javascript" if script else "text/css", body=SWAGGER_STUB if script else "")

    watched.page.route("https://cdn.jsdelivr.net/**", cdn)
    watched.page.route("https://fastapi.tiangolo.com/**", lambda route: route.fulfill(status=404))
    watched.page.goto(live_server.url + "/docs")
    assert watched.page.evaluate("typeof ui") == "object"  # the inline start-up script ran: admitted by its hash
    assert watched.violations() == []


def test_the_policy_is_enforced_and_a_violation_is_seen(watched: Watched, live_server: LiveServer) -> None:
    """The control: an injected inline script, inline style and hx-on handler are refused, and reported.

    The hx-on button is clicked as a user would: code run by ``page.evaluate`` may itself eval."""
    page = watched.page
    page.goto(live_server.url + "/chat")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = 1";
          document.body.append(script);
          const log = document.getElementById("log");
          log.innerHTML = '<p style="color: red">x</p><button type="button" hx-on:click="window.injected = 2">y</button>';
          htmx.process(log);
        }"""
    )
    page.click("#log button")
    page.wait_for_function("window.cspViolations.length >= 3")
    assert page.evaluate("window.injected") is None
    assert {v.split()[0] for v in page.evaluate("window.cspViolations")} == {"script-src-elem", "style-src-attr", "script-src"}
    expect(page.locator("#log p")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert any("Content Security Policy" in text for text in watched.console)
