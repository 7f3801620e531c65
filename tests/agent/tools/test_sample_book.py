"""The tools over the real seeded SQLite sample data: the stories the sample clients were written to tell."""

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from agent.errors import UnknownClient
from agent.tools.behaviour import behaviour_signals
from agent.tools.diagnosis import diagnose
from agent.tools.fees import fee_quote
from agent.tools.goals import plan_for_target, retirement_plan
from agent.tools.loader import load_book
from agent.tools.products import lookup_product
from agent.tools.suitability import check_product
from guardrails.claims import find_claims
from guardrails.policy import load_policy
from records.repository import list_products

TODAY = date(2026, 11, 22)


def findings(sessions: sessionmaker[Session], client_id: str) -> dict[str, str]:
    with sessions() as s:
        return {f.code: f.severity for f in diagnose(load_book(s, client_id), TODAY).findings}


def test_concentrated_clients(sessions: sessionmaker[Session]) -> None:
    assert findings(sessions, "client-007")["concentration_top_holding"] == "high"  # 茅台 96% of the book
    assert findings(sessions, "client-017")["concentration_top_holding"] == "high"  # 比亚迪 95%
    assert "concentration_industry" in findings(sessions, "client-007")  # 白酒
    assert "concentration_top_holding" not in findings(sessions, "client-002")  # two money funds


def test_risk_mismatch_clients(sessions: sessionmaker[Session]) -> None:
    for client_id in ("client-006", "client-012", "client-023"):  # C2 with R5, C1 with R3, C2 with R4
        assert findings(sessions, client_id)["risk_mismatch"] == "high", client_id
    assert "risk_mismatch" not in findings(sessions, "client-011")  # professional investor
    assert "risk_mismatch" not in findings(sessions, "client-004")


def test_expired_assessment_clients(sessions: sessionmaker[Session]) -> None:
    assert findings(sessions, "client-010")["assessment_expired"] == "high"
    assert findings(sessions, "client-023")["assessment_expired"] == "high"
    assert "assessment_expiring" in findings(sessions, "client-020")  # expires 2026-12-05
    with sessions() as s:
        client = load_book(s, "client-010").client
        product = next(p for p in list_products(s) if p.code == "000901")
        assert check_product(client, product, today=TODAY).outcome == "reassess"


def test_empty_book(sessions: sessionmaker[Session]) -> None:
    assert findings(sessions, "client-024") == {"empty_portfolio": "info"}


def test_behaviour_stories(sessions: sessionmaker[Session]) -> None:
    expected = {
        "client-008": "high_turnover",
        "client-018": "high_turnover",
        "client-009": "panic_selling",
        "client-019": "panic_selling",
        "client-015": "chasing_winners",
        "client-021": "chasing_winners",
        "client-022": "concentration_creep",
    }
    with sessions() as s:
        for client_id, code in expected.items():
            assert code in [x.code for x in behaviour_signals(load_book(s, client_id), TODAY).signals], client_id
        assert behaviour_signals(load_book(s, "client-001"), TODAY).signals == []
        assert behaviour_signals(load_book(s, "client-014"), TODAY).signals == []  # monthly saving into an index fund


def test_short_round_trips_show_their_fees(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        d = diagnose(load_book(s, "client-018"), TODAY)
    assert d.fees.paid.redemption > 400  # four redemptions of ~9,600 within 7 days of purchase at 1.5%


def test_every_summary_passes_the_banned_claims_rail(sessions: sessionmaker[Session]) -> None:
    policy = load_policy()
    with sessions() as s:
        catalog = list_products(s)
        for n in range(1, 25):
            book = load_book(s, f"client-{n:03d}")
            for text in (diagnose(book, TODAY).summary_text(), behaviour_signals(book, TODAY).summary_text()):
                assert find_claims(text, policy) == [], text
        assert find_claims(lookup_product("矛台", catalog).summary_text(), policy) == []
        others = [
            plan_for_target("子女教育金", 200_000, 10).summary_text(),
            retirement_plan(age=35, retirement_age=60, monthly_spending=6000).summary_text(),
            fee_quote(catalog[0], 10_000, holding_days=3).summary_text(),
            *(check_product(load_book(s, "client-003").client, p, today=TODAY).summary_text() for p in catalog),
        ]
        for text in others:
            assert find_claims(text, policy) == [], text


def test_unknown_client(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, pytest.raises(UnknownClient):
        load_book(s, "client-999")
