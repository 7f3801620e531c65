"""Accounts, transactions, price history and leads as seeded and read back through the repository."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.errors import NotFound
from records import repository as repo
from records.book import get_accounts, get_price_history, get_transactions
from records.db import session_factory
from records.leads import create_lead, list_leads, set_lead_status
from records.seed import SAMPLE_DIR, seed

VALUATION = date(2026, 11, 20)
CREATED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def test_at_least_twenty_clients_and_the_new_fields(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        people = json.loads((SAMPLE_DIR / "clients.json").read_text(encoding="utf-8"))["clients"]
        assert len(people) >= 20
        assert all(repo.get_client(s, p["id"]) is not None for p in people)
        pro = repo.get_client(s, "client-011")
        assert pro is not None and pro.investor_type == "professional"
        assert pro.financial_assets is not None and pro.financial_assets >= 5_000_000 and (pro.experience_years or 0) >= 2
        # client-010's first recorded buy of 016801 was 2024-11-20: that is when the position was opened.
        first = {h.product_code: h.acquired_at for h in repo.get_holdings(s, "client-010")}
        assert first["016801"] == date(2024, 11, 20)


def test_accounts_hold_only_masked_numbers(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        accounts = get_accounts(s, "client-003")
        assert {a.kind for a in accounts} == {"securities", "fund"}  # holds funds, no wealth product
        assert {a.kind for a in get_accounts(s, "client-001")} == {"securities", "fund", "wealth"}
        for a in accounts:
            assert "****" in a.masked_no
            assert not re.search(r"\d{5,}", a.masked_no)  # never a readable run of digits


def test_transactions_are_oldest_first_and_filterable(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        trades = get_transactions(s, "client-008")
        assert len(trades) == 15
        assert [t.trade_date for t in trades] == sorted(t.trade_date for t in trades)
        recent = get_transactions(s, "client-008", since=date(2026, 11, 1))
        assert [t.trade_date.day for t in recent] == [2, 4, 5, 9, 10, 12, 16]
        assert get_transactions(s, "client-024") == []


def test_price_history_is_a_year_of_weekdays_through_the_valuation_price(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        history = get_price_history(s, ["600519", "000901", "999999"])
        assert history["999999"] == []  # unknown code: empty, not an error
        moutai = history["600519"]
        assert len(moutai) >= 250 and all(p.price_date.weekday() < 5 for p in moutai)
        # client-007 holds 100 shares of 600519 worth 152,000 on the valuation date: 1,520 a share.
        assert moutai[-1].price_date == VALUATION and moutai[-1].close == 1520.0
        # and bought them on 2025-09-10 for 168,500: 1,685 a share.
        assert {p.price_date: p.close for p in moutai}[date(2025, 9, 10)] == 1685.0
        assert {p.close for p in history["000901"]} == {1.0}  # a money fund's unit value stays at 1
        window = get_price_history(s, ["600519"], start=date(2026, 11, 16), end=date(2026, 11, 20))["600519"]
        assert [p.price_date.day for p in window] == [16, 17, 18, 19, 20]


def test_price_history_is_the_same_in_every_database(sessions: sessionmaker[Session], tmp_path_factory: pytest.TempPathFactory) -> None:
    from records.db import make_engine, migrate

    other: Engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db2')}/other.db")
    migrate(other)
    with session_factory(other)() as s2, s2.begin():
        seed(s2, with_dev_tokens=False)
    with sessions() as s1, session_factory(other)() as s2:
        assert get_price_history(s1, ["300750", "016801"]) == get_price_history(s2, ["300750", "016801"])
    other.dispose()


def test_leads_are_created_for_the_clients_advisor_and_listed(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        lead = create_lead(s, client_id="client-009", reason_code="distress", detail="客户表示亏损焦虑", created_at=CREATED)
        create_lead(s, client_id="client-005", reason_code="purchase_intent", detail="想了解科创50ETF", created_at=CREATED)
    assert lead.advisor_id == "adv-001" and lead.status == "open"
    with sessions() as s, s.begin():
        assert [x.id for x in list_leads(s, advisor_id="adv-001")] == [lead.id]
        assert len(list_leads(s)) == 2
        set_lead_status(s, lead.id, "contacted")
    with sessions() as s:
        assert list_leads(s, status="open")[0].client_id == "client-005"
        assert list_leads(s, client_id="client-009")[0].status == "contacted"


def test_a_lead_for_an_unknown_client_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, pytest.raises(NotFound):
        create_lead(s, client_id="client-999", reason_code="distress", detail="x", created_at=CREATED)
    with sessions() as s, pytest.raises(NotFound):
        set_lead_status(s, "no-such-lead", "closed")


def test_a_database_seeded_before_accounts_existed_gets_them(sessions: sessionmaker[Session]) -> None:
    from sqlalchemy import delete

    from records.schema import Account

    with sessions() as s, s.begin():
        s.execute(delete(Account).where(Account.client_id == "client-003"))
    with sessions() as s, s.begin():
        counts = seed(s, with_dev_tokens=False)
    assert counts["accounts"] == 2 and counts["clients"] == 0
    with sessions() as s:
        assert {a.kind for a in get_accounts(s, "client-003")} == {"securities", "fund"}
