from datetime import date, timedelta

from agent.tools.behaviour import behaviour_signals
from records.repository import ProductView
from tests.agent.tools.conftest import TODAY, book, client, holding, series, trade


def signal_codes(report: object) -> list[str]:
    return [s.code for s in report.signals]  # type: ignore[attr-defined]


def test_a_quiet_book_has_no_signals(by_code: dict[str, ProductView]) -> None:
    b = book(client("C3"), [holding("000901", 1000)], by_code, transactions=[trade(date(2026, 3, 1), "000901", "buy", 1000, 1000)])
    report = behaviour_signals(b, TODAY)
    assert report.signals == [] and "未发现" in report.summary_text()


def test_round_trips_are_high_turnover(by_code: dict[str, ProductView]) -> None:
    day = date(2026, 10, 1)
    trades = []
    for i in range(3):  # buy, sell 4 days later, three times: three round trips within 30 days
        trades += [
            trade(day + timedelta(days=10 * i), "016801", "buy", 1000, 800),
            trade(day + timedelta(days=10 * i + 4), "016801", "sell", 1000, 800),
        ]
    report = behaviour_signals(book(client("C3"), [holding("000901", 1000)], by_code, transactions=trades), TODAY)
    turnover = next(s for s in report.signals if s.code == "high_turnover")
    assert "买入又卖出3次" in "；".join(turnover.evidence) and turnover.nudge


def test_buying_after_a_run_up_is_chasing(by_code: dict[str, ProductView]) -> None:
    # 61 daily closes rising from 1.0 to 1.3 up to the day before the purchase: +30% over 60 days, +~8% over 20
    closes = [1.0 + 0.005 * i for i in range(61)]
    prices = {"017650": series(closes, end=date(2026, 9, 30))}
    b = book(
        client("C5"),
        [holding("017650", 1300)],
        by_code,
        transactions=[trade(date(2026, 10, 1), "017650", "buy", 1300, 1000)],
        prices=prices,
    )
    assert signal_codes(behaviour_signals(b, TODAY)) == ["chasing_winners"]


def test_selling_at_a_loss_after_a_fall_is_panic_selling(by_code: dict[str, ProductView]) -> None:
    # bought at 1.00, climbed to 1.20, sold at 0.96: 20% below the high and 4% below cost
    closes = [1.0] * 10 + [1.2] * 10 + [0.96]
    prices = {"016801": series(closes, end=date(2026, 9, 14))}
    trades = [trade(date(2026, 8, 25), "016801", "buy", 1000, 1000), trade(date(2026, 9, 14), "016801", "sell", 960, 1000)]
    report = behaviour_signals(book(client("C3"), [], by_code, transactions=trades, prices=prices), TODAY)
    panic = next(s for s in report.signals if s.code == "panic_selling")
    assert "低20.0%" in panic.evidence[0] and "低于买入成本4.0%" in panic.evidence[0]
    # the same sale above cost is taking profit, not panic
    trades[0] = trade(date(2026, 8, 25), "016801", "buy", 900, 1000)
    assert "panic_selling" not in signal_codes(
        behaviour_signals(book(client("C3"), [], by_code, transactions=trades, prices=prices), TODAY)
    )


def test_repeated_adds_to_one_stock_are_concentration_creep(by_code: dict[str, ProductView]) -> None:
    # 100 shares of 600036 at 40 against 8,000 of a bond fund 200 days ago (33%); 300 more since: 400 x 40 = 16,000 of 24,000 (67%)
    hs = [holding("600036", 16_000, quantity=400), holding("007320", 8_000)]
    trades = [trade(TODAY - timedelta(days=d), "600036", "buy", 4000, 100) for d in (150, 100, 50)]
    report = behaviour_signals(book(client("C4"), hs, by_code, transactions=trades), TODAY)
    creep = next(s for s in report.signals if s.code == "concentration_creep")
    assert creep.product_codes == ["600036"] and "33.3%" in creep.evidence[0] and "66.7%" in creep.evidence[0]
