import math

import pytest

from agent.tools.stats import annualised_volatility, hhi, max_drawdown, trailing_return
from tests.agent.tools.conftest import series


def test_hhi_of_50_30_20() -> None:
    # 0.5^2 + 0.3^2 + 0.2^2 = 0.25 + 0.09 + 0.04 = 0.38; values need not sum to 1
    assert hhi([50_000, 30_000, 20_000]) == pytest.approx(0.38)
    assert hhi([1.0]) == 1.0
    assert hhi([]) == 0.0


def test_max_drawdown_of_a_known_series() -> None:
    # peak 120 (index 1), later trough 80 (index 4): 1 - 80/120 = 1/3; the earlier 120 -> 90 is only 25%
    dd = max_drawdown([100, 120, 90, 110, 80, 130])
    assert dd is not None
    assert dd.depth == pytest.approx(1 / 3)
    assert (dd.peak_index, dd.trough_index) == (1, 4)
    assert max_drawdown([1, 2, 3]) == max_drawdown([1, 2, 3]) and max_drawdown([1, 2, 3]).depth == 0.0  # type: ignore[union-attr]
    assert max_drawdown([]) is None


def test_annualised_volatility_of_a_known_series() -> None:
    # returns +10%, -10%: mean 0, sample variance (0.01 + 0.01) / 1 = 0.02, sd 0.141421 * sqrt(252) = 2.24499
    assert annualised_volatility([100, 110, 99]) == pytest.approx(math.sqrt(0.02) * math.sqrt(252))
    assert annualised_volatility([1.0, 1.0, 1.0, 1.0]) == 0.0
    assert annualised_volatility([100, 110]) is None  # one return says nothing about spread


def test_trailing_return_needs_enough_history() -> None:
    points = series([100.0] * 10 + [120.0])
    assert trailing_return(points, points[-1].price_date, 10) == pytest.approx(0.2)
    assert trailing_return(points, points[-1].price_date, 11) is None
