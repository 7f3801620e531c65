"""Security headers on every response: a strict CSP on the pages, no-store on data, and the docs' own policy."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.middleware import DATA_POLICY, PAGE_POLICY
from tests.api.conftest import QUESTION, TOKENS, auth

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"
COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (d.split() for d in policy.split(";") if d.strip())
    return {name: sources for name, *sources in parsed}


def assert_common(headers: object) -> None:
    for name, value in COMMON.items():
        assert headers[name] == value, name  # type: ignore[index]


@pytest.mark.parametrize("path", ["/", "/chat", "/advisor", "/compliance"])
def test_pages_carry_a_strict_policy(api: TestClient, path: str) -> None:
    res = api.get(path)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    assert_common(res.headers)
    assert res.headers["content-security-policy"] == PAGE_POLICY
    policy = directives(PAGE_POLICY)
    assert policy["default-src"] == ["'none'"] and policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "unsafe" not in PAGE_POLICY
    assert res.headers["cache-control"] == "no-store"
    # Everything the page loads is a file of its own origin (what 'self' admits).
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", res.text) and "<style" not in res.text


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    """Every page and fragment: scripts only from /static/, no <style>, no style attribute, no hx-on or on* handler."""
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        where = template.relative_to(TEMPLATES)
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", text), where
        assert not re.search(r"<style|\sstyle=|\shx-on|\son[a-z]+=|javascript:", text, re.IGNORECASE), where
        assert "js:" not in text, where  # htmx evaluates js: values (hx-vals) with Function


def test_api_json_is_no_store_and_embeds_nothing(api: TestClient) -> None:
    res = api.post("/api/chat", json={"message": QUESTION}, headers=auth(TOKENS["client"]))
    assert res.status_code == 200 and res.headers["content-type"] == "application/json"
    assert_common(res.headers)
    assert res.headers["content-security-policy"] == DATA_POLICY
    assert res.headers["cache-control"] == "no-store"
    listed = api.get("/api/conversations", headers=auth(TOKENS["client"]))
    assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
    refused = api.get("/api/conversations")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    assert_common(refused.headers)


def test_a_route_keeps_its_own_headers_and_sets_each_once(api: TestClient) -> None:
    res = api.get("/api/compliance/export", params={"format": "csv"}, headers=auth(TOKENS["compliance"]))
    assert res.status_code == 200
    assert res.headers.get_list("cache-control") == ["no-store"]
    assert res.headers.get_list("content-security-policy") == [DATA_POLICY]
    assert res.headers.get_list("x-content-type-options") == ["nosniff"]


def test_fragments_are_no_store(api: TestClient) -> None:
    res = api.get("/ui/advisor/clients", headers=auth(TOKENS["advisor"]))
    assert res.status_code == 200 and res.headers["content-security-policy"] == PAGE_POLICY
    assert res.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached_but_not_sniffed(api: TestClient) -> None:
    res = api.get("/static/app.js")
    assert res.status_code == 200 and "cache-control" not in res.headers
    assert_common(res.headers)


def test_streams_still_stream_with_the_headers(api: TestClient) -> None:
    with api.stream("POST", "/api/chat/stream", json={"message": QUESTION}, headers=auth(TOKENS["client"])) as res:
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
        assert res.headers.get_list("cache-control") == ["no-store"]
        assert_common(res.headers)
        events = [line.removeprefix("event: ") for line in res.iter_lines() if line.startswith("event: ")]
    assert events[0] == "text" and events[-1] == "done"


def test_the_413_answered_by_the_middleware_has_the_headers(api: TestClient) -> None:
    headers = {**auth(TOKENS["client"]), "Content-Type": "application/json"}
    res = api.post("/api/chat", content=json.dumps({"message": "长" * 70_000}), headers=headers)
    assert res.status_code == 413 and res.headers["cache-control"] == "no-store"
    assert_common(res.headers)


@pytest.mark.parametrize("path", ["/docs", "/docs/oauth2-redirect", "/redoc"])
def test_docs_admit_their_cdn_and_their_inline_scripts_by_hash_only(api: TestClient, path: str) -> None:
    res = api.get(path)
    assert res.status_code == 200
    assert_common(res.headers)
    policy = directives(res.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", res.text, re.DOTALL)
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
    assert set(policy["script-src"]) == {"https://cdn.jsdelivr.net", *hashes}
    assert policy["frame-ancestors"] == ["'none'"] and policy["default-src"] == ["'none'"]
    if path != "/redoc":
        assert hashes  # Swagger UI starts from an inline script: admitted by its hash
