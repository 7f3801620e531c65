"""Numbers over price series and weights: returns, volatility, drawdown, concentration."""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel

from records.book import PricePoint

TRADING_DAYS_PER_YEAR = 252


class Drawdown(BaseModel):
    """The deepest fall from a running peak: ``depth`` 0.2 means 20% below the peak."""

    depth: float
    peak_index: int
    trough_index: int


def daily_returns(values: Sequence[float]) -> list[float]:
    return [b / a - 1.0 for a, b in itertools.pairwise(values) if a > 0]


def annualised_volatility(values: Sequence[float]) -> float | None:
    """Sample standard deviation of daily simple returns times sqrt(252); None under 3 values."""
    returns = daily_returns(values)
    if len(returns) < 2:
        return None
    mean = sum(returns) / len(returns)
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return math.sqrt(variance) * math.sqrt(TRADING_DAYS_PER_YEAR)


def max_drawdown(values: Sequence[float]) -> Drawdown | None:
    """Largest peak-to-trough fall; None for an empty series, depth 0 for one that never falls."""
    if not values:
        return None
    best = Drawdown(depth=0.0, peak_index=0, trough_index=0)
    peak_index = 0
    for i, value in enumerate(values):
        if value > values[peak_index]:
            peak_index = i
        elif values[peak_index] > 0:
            depth = 1.0 - value / values[peak_index]
            if depth > best.depth:
                best = Drawdown(depth=depth, peak_index=peak_index, trough_index=i)
    return best


def hhi(weights: Sequence[float]) -> float:
    """Herfindahl-Hirschman index of shares (normalised to sum to 1); 0 for no weights."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum((w / total) ** 2 for w in weights)


def price_on(points: Sequence[PricePoint], day: date) -> float | None:
    """The last close on or before ``day``."""
    i = bisect_right([p.price_date for p in points], day)
    return points[i - 1].close if i else None


def index_on(points: Sequence[PricePoint], day: date) -> int | None:
    i = bisect_right([p.price_date for p in points], day)
    return i - 1 if i else None


def trailing_return(points: Sequence[PricePoint], day: date, sessions: int) -> float | None:
    """Return over the ``sessions`` trading days up to ``day`` (None without enough history)."""
    end = index_on(points, day)
    if end is None or end - sessions < 0 or points[end - sessions].close <= 0:
        return None
    return points[end].close / points[end - sessions].close - 1.0


def last_year(points: Sequence[PricePoint]) -> list[float]:
    """The closes of the last 252 trading days (fewer when the history is shorter)."""
    return [p.close for p in points[-(TRADING_DAYS_PER_YEAR + 1) :]]
