"""A real uvicorn server on loopback (fake model, real SQLite) and Debian's Chromium driven by Playwright.

Playwright launches ``/usr/bin/chromium`` (``make test`` installs it with apt): it never
downloads a browser here. Without Chromium every test in this folder is skipped with the
reason. (pytest-playwright is not used: its ``base_url`` fixture is deprecated under pytest 9.)
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from agent.llm.fake import FakeChatModel
from agent.turn import AgentDeps
from api.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
VENDOR = REPO / "api" / "static" / "vendor" / "htmx.min.js"
# Chromium's own network chatter is refused on this machine's closed network: switch it off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPLY = "瑞和天天利货币A是货币市场基金，风险较低。它适合存放短期备用资金。"
QUESTION = "瑞和天天利货币A的风险高吗？"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    reason = None
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: `make test` installs it with apt-get (chromium, fonts-wqy-microhei); it could not here"
    elif not VENDOR.is_file():
        reason = f"{VENDOR.relative_to(REPO)} is missing: run `make test` (it vendors htmx from the npm registry)"
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context per test (its own sessionStorage and downloads), Chinese locale."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    deps: AgentDeps

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        """Call the JSON API over HTTP, as another user of the same server would."""
        return httpx.request(method, self.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


@pytest.fixture
def live_server(make_deps: Callable[[FakeChatModel], AgentDeps]) -> Iterator[LiveServer]:
    """The app on the fakes, served by uvicorn from a thread on a loopback port of its own.

    The socket listens before the server starts, so a request made at once waits in the
    backlog instead of failing: nothing has to wait for the server to be up.
    """
    deps = make_deps(FakeChatModel(REPLY))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(deps=deps), log_level="warning", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{sock.getsockname()[1]}", deps)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under test-artifacts/screenshots/ (gitignored), replaced each run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Any, url: str, token: str) -> None:
    """Open a page and sign in with the token form (the token goes to sessionStorage)."""
    page.goto(url)
    page.fill("#token-form input[name=token]", token)
    page.click("#token-form button[type=submit]")
