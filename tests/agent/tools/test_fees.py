from datetime import date

import pytest

from agent.tools.fees import fee_quote, fees_paid, open_lots, redemption_cost, redemption_fee, subscription_fee
from core.errors import InvalidInput
from records.repository import ProductView
from tests.agent.tools.conftest import holding, trade


def test_subscription_fee_is_charged_outside_the_amount(by_code: dict[str, ProductView]) -> None:
    # 016801, under 1M: 1.2%. net = 10000 / 1.012 = 9881.4229 -> 9881.42; fee = 10000 - 9881.4229 = 118.58
    line = subscription_fee(by_code["016801"], 10_000)
    assert (line.rate, line.net, line.fee) == (0.012, 9881.42, 118.58)


def test_subscription_tier_boundaries(by_code: dict[str, ProductView]) -> None:
    fund = by_code["011230"]  # [0, 1M) 1.5%, [1M, 5M) 1.0%, [5M, ...) 0
    assert subscription_fee(fund, 999_999.99).rate == 0.015
    assert subscription_fee(fund, 1_000_000).rate == 0.01  # the lower bound belongs to the higher tier
    assert subscription_fee(fund, 5_000_000).rate == 0.0
    assert subscription_fee(fund, 0).fee == 0.0


@pytest.mark.parametrize(
    ("days", "rate"),
    [(0, 0.015), (6, 0.015), (7, 0.0075), (29, 0.0075), (30, 0.005), (364, 0.005), (365, 0.0025), (729, 0.0025), (730, 0.0)],
)
def test_redemption_tiers_by_days_held(by_code: dict[str, ProductView], days: int, rate: float) -> None:
    assert redemption_fee(by_code["011230"], 10_000, days).rate == rate


def test_redemption_fee_amount(by_code: dict[str, ProductView]) -> None:
    # 10,000 after 6 days at 1.5% = 150.00, net 9,850.00
    line = redemption_fee(by_code["016801"], 10_000, 6)
    assert (line.fee, line.net) == (150.0, 9850.0)


def test_a_fixed_fee_tier() -> None:
    fund = ProductView(
        code="T00001",
        name="测试基金",
        type="mixed_fund",
        risk_level="R3",
        fees={
            "subscription": [
                {"min_amount": 0, "max_amount": 5_000_000, "rate": 0.015},
                {"min_amount": 5_000_000, "max_amount": None, "fixed": 1000},
            ]
        },
    )
    line = subscription_fee(fund, 6_000_000)
    assert (line.fixed, line.fee, line.net) == (1000.0, 1000.0, 5_999_000.0)


def test_exchange_traded_products_have_no_schedule(by_code: dict[str, ProductView]) -> None:
    quote = fee_quote(by_code["600519"], 100_000, holding_days=3)
    assert quote.subscription is not None and not quote.subscription.applicable and quote.subscription.fee is None
    assert "佣金" in quote.summary_text()


def test_bad_inputs_are_refused(by_code: dict[str, ProductView]) -> None:
    with pytest.raises(InvalidInput):
        subscription_fee(by_code["016801"], -1)
    with pytest.raises(InvalidInput):
        redemption_fee(by_code["016801"], 100, -3)


def test_fee_quote_summary_and_ongoing_rate(by_code: dict[str, ProductView]) -> None:
    quote = fee_quote(by_code["016801"], 10_000, holding_days=10)
    assert quote.annual_ongoing_rate == pytest.approx(0.014)  # management 1.2% + custody 0.2% + sales service 0
    text = quote.summary_text()
    assert "118.58" in text and "50.00" in text  # 10,000 x 0.5% after 10 days


def test_lots_are_first_in_first_out_and_unexplained_units_take_the_holding_date(by_code: dict[str, ProductView]) -> None:
    trades = [
        trade(date(2026, 1, 5), "016801", "buy", 1000, 100),
        trade(date(2026, 6, 1), "016801", "buy", 500, 50),
        trade(date(2026, 7, 1), "016801", "sell", 1300, 120),  # uses all 100 of January and 20 of June
    ]
    h = holding("016801", value=650, cost=600, quantity=50, acquired=date(2025, 1, 2))
    lots = open_lots(h, trades)
    assert [(lot.quantity, lot.acquired_at) for lot in lots] == [(20, date(2025, 1, 2)), (30, date(2026, 6, 1))]
    # value per unit 13; on 2026-11-22: 20 units held >= 365 days -> 0%, 30 units 174 days -> 0.5% = 30 * 13 * 0.005 = 1.95
    assert redemption_cost(by_code["016801"], h, lots, date(2026, 11, 22)) == (1.95, False)


def test_fees_paid_on_a_short_round_trip(by_code: dict[str, ProductView]) -> None:
    trades = [trade(date(2026, 10, 9), "016801", "buy", 10_000, 7520.11), trade(date(2026, 10, 13), "016801", "sell", 9866.53, 7520.11)]
    paid = fees_paid(trades, by_code)
    # buy: 118.58 (1.2% outside); sell after 4 days: 9866.53 * 1.5% = 148.00
    assert (paid.subscription, paid.redemption, paid.estimated_dates) == (118.58, 148.0, False)
    unmatched = fees_paid([trade(date(2026, 10, 13), "016801", "sell", 1000, 100)], by_code)
    assert unmatched.estimated_dates and unmatched.redemption == 0.0  # no purchase on record: lowest tier assumed
