"""Every endpoint, every role, someone else's ids: 401, 403 or 404, never their data.

The table below must name every route the app serves (walked from ``app.routes``), so a new
endpoint without an entry fails this test until its access rule is written down.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from api.app import create_app
from tests.api.conftest import METRICS_TOKEN, OTHER_CLIENT, OTHER_CLIENT_TOKEN, QUESTION, TOKENS, Foreign, auth

Body = Callable[[Foreign], dict[str, Any]]
ROLES = ("client", "advisor", "compliance", "admin")


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] = frozenset()
    """Roles the endpoint admits; any other valid token gets 403, no or a bad token 401."""
    sees_all: frozenset[str] = frozenset()
    """Admitted roles whose job is to see everyone's records (compliance on the log, admin on tokens)."""
    body: Body | None = None
    query: dict[str, str] = field(default_factory=dict)
    public: bool = False
    form: Body | None = None
    """A form body (the web pages' fragment routes take forms, as htmx sends them)."""
    secret: str | None = None
    """A route guarded by a bearer secret of its own, not a role: that bearer gets 200, every other
    caller (no token, a bad one, any role's token) 401."""


def only(
    *roles: str,
    body: Body | None = None,
    query: dict[str, str] | None = None,
    sees_all: tuple[str, ...] = (),
    form: Body | None = None,
) -> Access:
    return Access(frozenset(roles), frozenset(sees_all), body, query or {}, form=form)


PUBLIC = Access(public=True)
CHAT: Body = lambda f: {"message": QUESTION, "conversation_id": f.conversation_id}  # noqa: E731
REVEAL: Body = lambda f: {"reason": "客户要求回电"}  # noqa: E731

TABLE: dict[tuple[str, str], Access] = {
    # The web pages are shells with no data in them: what they show comes from the /ui/ fragment
    # routes below, which take the same token and admit the same roles as the JSON API.
    ("GET", "/"): PUBLIC,
    ("GET", "/chat"): PUBLIC,
    ("GET", "/advisor"): PUBLIC,
    ("GET", "/compliance"): PUBLIC,
    ("POST", "/ui/chat/stream"): only("client", form=CHAT),
    ("POST", "/ui/turns/{turn_id}/feedback"): only("client", form=lambda f: {"helpful": "false", "reason": "看不懂"}),
    ("POST", "/ui/handoff"): only("client", form=lambda f: {"reason": "人工", "turn_id": f.turn_id}),
    # The chat's conversation list and a reopened conversation: the client's own only (another's is a 404).
    ("GET", "/ui/conversations"): only("client"),
    ("GET", "/ui/conversations/{conversation_id}"): only("client"),
    ("GET", "/ui/advisor/research"): only("advisor", query={"q": "货币基金"}),
    ("GET", "/ui/advisor/clients"): only("advisor"),
    ("GET", "/ui/advisor/clients/{client_id}/diagnosis"): only("advisor"),
    ("POST", "/ui/advisor/clients/{client_id}/drafts"): only("advisor", form=lambda f: {"question": QUESTION}),
    ("POST", "/ui/advisor/drafts/{draft_id}/edits"): only("advisor", form=lambda f: {"text": "您好，建议您关注风险。"}),
    ("POST", "/ui/advisor/drafts/{draft_id}/send"): only("advisor", form=lambda f: {"text": "您好，建议您关注风险。"}),
    ("GET", "/ui/advisor/leads"): only("advisor"),
    ("GET", "/ui/compliance/turns"): only("compliance", sees_all=("compliance",)),
    ("GET", "/ui/compliance/turns/{turn_id}"): only("compliance", sees_all=("compliance",)),
    ("POST", "/ui/compliance/turns/{turn_id}/annotations"): only(
        "compliance", sees_all=("compliance",), form=lambda f: {"label": "note", "note": "抽查"}
    ),
    ("POST", "/ui/advisor/originals/{original_id}/reveal"): only("advisor", form=REVEAL),
    ("POST", "/ui/compliance/originals/{original_id}/reveal"): only("compliance", sees_all=("compliance",), form=REVEAL),
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): Access(secret=METRICS_TOKEN),  # the scraper's ADVISOR_METRICS_TOKEN
    ("POST", "/api/chat"): only("client", body=CHAT),
    ("POST", "/api/chat/stream"): only("client", body=CHAT),
    ("GET", "/api/conversations"): only("client"),
    ("GET", "/api/conversations/{conversation_id}"): only("client"),
    ("POST", "/api/turns/{turn_id}/feedback"): only("client", body=lambda f: {"helpful": False, "reason": "看不懂"}),
    ("POST", "/api/handoff"): only("client", body=lambda f: {"reason": "人工", "turn_id": f.turn_id}),
    ("GET", "/api/replies"): only("client"),
    ("GET", "/v1/models"): only(*ROLES, sees_all=ROLES),
    ("POST", "/v1/chat/completions"): only(
        "client",
        body=lambda f: {"model": "robo-advisor", "messages": [{"role": "user", "content": QUESTION}], "conversation_id": f.conversation_id},
    ),
    ("GET", "/api/advisor/research"): only("advisor", query={"q": "货币基金"}),
    ("GET", "/api/advisor/clients"): only("advisor"),
    ("GET", "/api/advisor/clients/{client_id}/diagnosis"): only("advisor"),
    ("POST", "/api/advisor/clients/{client_id}/drafts"): only("advisor", body=lambda f: {"question": QUESTION}),
    ("GET", "/api/advisor/drafts/{draft_id}"): only("advisor"),
    ("POST", "/api/advisor/drafts/{draft_id}/edits"): only("advisor", body=lambda f: {"text": "您好，建议您关注风险。"}),
    ("POST", "/api/advisor/drafts/{draft_id}/send"): only("advisor"),
    ("GET", "/api/advisor/leads"): only("advisor"),
    ("POST", "/api/advisor/leads/{lead_id}/status"): only("advisor", body=lambda f: {"status": "contacted"}),
    ("GET", "/api/compliance/turns"): only("compliance", sees_all=("compliance",)),
    ("GET", "/api/compliance/turns/{turn_id}"): only("compliance", sees_all=("compliance",)),
    ("POST", "/api/compliance/turns/{turn_id}/annotations"): only(
        "compliance", sees_all=("compliance",), body=lambda f: {"label": "note", "note": "抽查"}
    ),
    ("GET", "/api/compliance/export"): only("compliance", sees_all=("compliance",), query={"format": "jsonl"}),
    ("GET", "/api/compliance/stats"): only("compliance", sees_all=("compliance",)),
    # An encrypted original: its client's own advisor (to call back) or compliance; every reveal is audited.
    ("POST", "/api/advisor/originals/{original_id}/reveal"): only("advisor", body=REVEAL),
    ("POST", "/api/compliance/originals/{original_id}/reveal"): only("compliance", sees_all=("compliance",), body=REVEAL),
    ("POST", "/api/admin/tokens"): only("admin", sees_all=("admin",), body=lambda f: {"role": "client", "subject_id": OTHER_CLIENT}),
    ("GET", "/api/admin/tokens"): only("admin", sees_all=("admin",)),
    ("DELETE", "/api/admin/tokens/{token_id}"): only("admin", sees_all=("admin",)),
}


def _walk(routes: list[BaseRoute]) -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI wraps each included router
        if included is not None:
            yield from _walk(included.routes)
        elif isinstance(route, APIRoute | Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, route.path


def served(app: FastAPI) -> set[tuple[str, str]]:
    return set(_walk(app.routes))


def test_every_route_has_an_access_rule() -> None:
    app = create_app()
    routes = served(app)
    assert routes == set(TABLE), f"routes without a rule: {routes - set(TABLE)}; rules without a route: {set(TABLE) - routes}"
    documented = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert documented <= routes  # the walk sees at least what the schema documents


def _url(path: str, f: Foreign) -> str:
    ids = {
        "conversation_id": f.conversation_id,
        "turn_id": f.turn_id,
        "client_id": OTHER_CLIENT,
        "draft_id": f.draft_id,
        "lead_id": f.lead_id,
        "original_id": f.original_id,
        "token_id": hashlib.sha256(OTHER_CLIENT_TOKEN.encode()).hexdigest()[:12],
    }
    return path.format(**ids)


def _no_data(body: str, f: Foreign, where: str) -> None:
    leaked = [m for m in f.markers() if m in body]
    assert not leaked, f"{where} leaked {leaked}"


@pytest.mark.parametrize(("method", "path"), sorted(TABLE))
def test_route_admits_only_its_roles_and_their_own_records(api: TestClient, foreign: Foreign, method: str, path: str) -> None:
    rule = TABLE[(method, path)]
    url = _url(path, foreign)
    body = rule.body(foreign) if rule.body else None
    form = rule.form(foreign) if rule.form else None

    def call(headers: dict[str, str]) -> Any:
        return api.request(method, url, params=rule.query, json=body, data=form, headers=headers)

    if rule.public:
        res = call({})
        assert res.status_code == 200, res.text
        _no_data(res.text, foreign, f"{method} {path}")
        return
    if rule.secret:
        for headers in ({}, auth("not-a-token"), *(auth(TOKENS[role]) for role in ROLES)):
            res = call(headers)
            assert res.status_code == 401, (headers, res.text)
            assert res.json()["error"]["request_id"]
        res = call(auth(rule.secret))
        assert res.status_code == 200, res.text
        _no_data(res.text, foreign, f"{method} {path}")
        return
    for headers in ({}, auth("not-a-token"), {"Authorization": "Basic Zm9vOmJhcg=="}):
        res = call(headers)
        assert res.status_code == 401, (headers, res.text)
        assert res.json()["error"]["request_id"] and res.json()["error"]["message"]
        _no_data(res.text, foreign, f"{method} {path} without a valid token")
    for role in ROLES:
        res = call(auth(TOKENS[role]))
        where = f"{method} {path} as {role}"
        if role not in rule.roles:
            assert res.status_code == 403, (where, res.text)
            _no_data(res.text, foreign, where)
        elif role in rule.sees_all:
            assert res.status_code < 300, (where, res.text)
        elif "{" in path or any(v in foreign.markers() for v in _values(body) + _values(form)):
            assert res.status_code == 404, (where, res.text)
            assert set(res.json()) == {"error"}
            _no_data(res.text, foreign, where)
        else:
            assert res.status_code < 300, (where, res.text)
            _no_data(res.text, foreign, where)


def _values(body: dict[str, Any] | None) -> list[str]:
    return [v for v in (body or {}).values() if isinstance(v, str)]
