"""The generator of the sample price history: deterministic, and pinned through its anchors."""

import itertools
import math
from datetime import date

from records.prices import business_days, code_seed, generate_series


def test_business_days_skip_weekends() -> None:
    # 2026-11-16 is a Monday; the 21st and 22nd are Saturday and Sunday.
    days = business_days(date(2026, 11, 16), date(2026, 11, 22))
    assert days == [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]


def test_series_passes_through_its_anchors() -> None:
    days = business_days(date(2026, 1, 5), date(2026, 3, 27))
    anchors = {date(2026, 1, 20): [1.2], date(2026, 2, 20): [0.9], date(2026, 3, 27): [1.05]}
    series = generate_series(days, anchors=anchors, annual_volatility=0.3, seed=7)
    closes = dict(zip(days, series, strict=True))
    assert closes[date(2026, 1, 20)] == 1.2
    assert closes[date(2026, 2, 20)] == 0.9
    assert closes[date(2026, 3, 27)] == 1.05
    assert len(set(series)) > 20  # it moves between the anchors


def test_weekend_anchor_lands_on_the_friday_before_and_same_day_anchors_average() -> None:
    days = business_days(date(2026, 11, 2), date(2026, 11, 20))
    # 2026-11-15 is a Sunday -> Friday the 13th; two prices that day: geometric mean sqrt(4*9) = 6.
    series = generate_series(days, anchors={date(2026, 11, 15): [4.0, 9.0]}, annual_volatility=0.2, seed=1)
    assert series[days.index(date(2026, 11, 13))] == 6.0


def test_same_seed_same_series_and_no_anchor_starts_at_start_price() -> None:
    days = business_days(date(2026, 1, 1), date(2026, 6, 30))
    one = generate_series(days, anchors={}, annual_volatility=0.25, seed=code_seed("600519"), start_price=100.0)
    two = generate_series(days, anchors={}, annual_volatility=0.25, seed=code_seed("600519"), start_price=100.0)
    other = generate_series(days, anchors={}, annual_volatility=0.25, seed=code_seed("300750"), start_price=100.0)
    assert one == two and one != other
    assert one[0] == 100.0


def test_realised_volatility_is_near_the_requested_one() -> None:
    days = business_days(date(2024, 1, 1), date(2026, 12, 31))  # ~780 days, enough for a stable estimate
    series = generate_series(days, anchors={}, annual_volatility=0.2, seed=42, start_price=10.0)
    logs = [math.log(b / a) for a, b in itertools.pairwise(series)]
    mean = sum(logs) / len(logs)
    realised = math.sqrt(sum((x - mean) ** 2 for x in logs) / (len(logs) - 1)) * math.sqrt(252)
    assert 0.17 < realised < 0.23
