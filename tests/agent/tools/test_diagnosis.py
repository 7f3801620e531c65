import json
from datetime import date

import pytest

from agent.errors import UnknownProduct
from agent.tools.diagnosis import diagnose
from records.repository import ProductView
from tests.agent.tools.conftest import TODAY, book, client, holding, series


def codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


def test_allocation_concentration_and_gain(by_code: dict[str, ProductView]) -> None:
    # 600519 50,000 (R4 stock, 白酒), 016801 30,000 (R3 mixed), 000901 20,000 (R1 money fund)
    b = book(
        client("C4"),
        [holding("600519", 50_000, cost=40_000, quantity=25), holding("016801", 30_000, cost=32_000), holding("000901", 20_000, cost=0)],
        by_code,
    )
    d = diagnose(b, TODAY)
    assert d.total_value == 100_000 and d.unrealised_gain == 28_000  # 100,000 - (40,000 + 32,000 + 0)
    assert d.hhi == pytest.approx(0.38) and d.top_holding_share == 0.5  # 0.5^2 + 0.3^2 + 0.2^2
    assert {a.label: a.weight for a in d.by_asset_class} == {"权益类": 0.5, "混合类": 0.3, "现金管理类": 0.2}
    assert [a.label for a in d.by_risk_level] == ["R1", "R3", "R4"]
    zero_cost = next(h for h in d.holdings if h.code == "000901")
    assert zero_cost.gain_pct is None and zero_cost.gain == 20_000
    assert {"concentration_top_holding", "concentration_industry"} <= codes(d)  # 50% in one stock, 50% in 白酒
    assert "risk_mismatch" not in codes(d)
    assert next(f for f in d.findings if f.code == "concentration_top_holding").severity == "high"


def test_a_holding_above_class_is_a_high_finding(by_code: dict[str, ProductView]) -> None:
    d = diagnose(book(client("C2"), [holding("015980", 6000), holding("000901", 4000)], by_code), TODAY)
    mismatch = next(f for f in d.findings if f.code == "risk_mismatch")
    assert mismatch.severity == "high" and mismatch.product_codes == ["015980"] and d.above_class_share == 0.6
    assert d.findings[0].severity == "high"  # most severe first


def test_portfolio_volatility_and_drawdown_from_prices(by_code: dict[str, ProductView]) -> None:
    # 10 units of A at 10, 12, 9, 11 plus 100 units of a flat money fund at 1: values 200, 220, 190, 210.
    # max drawdown 1 - 190/220 = 13.64%, peak on the 2nd day, trough on the 3rd.
    prices = {"016801": series([10, 12, 9, 11]), "000901": series([1, 1, 1, 1])}
    b = book(client("C3"), [holding("016801", 110, quantity=10), holding("000901", 100, quantity=100)], by_code, prices=prices)
    d = diagnose(b, TODAY)
    assert d.risk.max_drawdown == pytest.approx(1 - 190 / 220)
    assert d.risk.drawdown_peak == prices["016801"][1].price_date and d.risk.drawdown_trough == prices["016801"][2].price_date
    assert d.risk.volatility is not None and d.risk.volatility > 0 and d.risk.covered_weight == 1.0
    line = next(c for c in d.charts if c.kind == "line")
    assert line.values == [200.0, 210.0]  # every 5th point and the last
    json.loads(d.model_dump_json())  # chart-ready and serialisable


def test_a_product_without_price_history_is_left_out_and_said_so(by_code: dict[str, ProductView]) -> None:
    prices = {"016801": series([1.0, 1.1, 1.2])}
    d = diagnose(book(client("C3"), [holding("016801", 3000), holding("007320", 1000)], by_code, prices=prices), TODAY)
    assert d.risk.missing_codes == ["007320"] and d.risk.covered_weight == 0.75
    assert "missing_price_history" in codes(d)
    nothing = diagnose(book(client("C3"), [holding("007320", 1000)], by_code), TODAY)
    assert nothing.risk.volatility is None and nothing.risk.max_drawdown is None


def test_empty_portfolio(by_code: dict[str, ProductView]) -> None:
    d = diagnose(book(client("C3"), [], by_code), TODAY)
    assert d.total_value == 0 and d.hhi == 0 and d.holdings == [] and d.charts[0].values == []
    assert codes(d) == {"empty_portfolio"} and "无持仓" in d.summary_text()


def test_expired_and_expiring_assessments(by_code: dict[str, ProductView]) -> None:
    expired = diagnose(book(client("C3", expires=date(2025, 5, 18)), [holding("000901", 100)], by_code), TODAY)
    assert next(f for f in expired.findings if f.code == "assessment_expired").severity == "high"
    soon = diagnose(book(client("C3", expires=date(2026, 12, 5)), [holding("000901", 100)], by_code), TODAY)
    assert "assessment_expiring" in codes(soon) and "assessment_expired" not in codes(soon)


def test_switch_cost_by_holding_period(by_code: dict[str, ProductView]) -> None:
    # 10,000 of 016801 bought 2026-11-20 (2 days: 1.5% = 150.00); 10,000 of 011230 bought 2024-11-01 (751 days >= 730: 0)
    # and bought 2025-01-01 (690 days, the [365, 730) tier: 0.25% = 25.00)
    hs = [holding("016801", 10_000, acquired=date(2026, 11, 20)), holding("011230", 10_000, acquired=date(2024, 11, 1))]
    d = diagnose(book(client("C3"), hs, by_code), TODAY)
    assert d.fees.switch_cost == 150.0 and not d.fees.switch_cost_estimated
    assert d.fees.annual_ongoing == 280.0  # (1.2% + 0.2%) x 10,000 twice
    hs[1] = holding("011230", 10_000, acquired=date(2025, 1, 1))
    assert diagnose(book(client("C3"), hs, by_code), TODAY).fees.switch_cost == 175.0


def test_a_holding_of_an_unknown_product_is_an_error(by_code: dict[str, ProductView]) -> None:
    with pytest.raises(UnknownProduct):
        diagnose(book(client("C3"), [holding("999999", 100)], by_code), TODAY)
