"""Deterministic daily price history for the sample products.

The sample book must tell a consistent story: a client who bought at 1.32 and sold at 1.18 sold
after a fall. So the series is not free noise: it is a random walk in log-price, seeded by the
product code, pinned (a Brownian bridge) through anchor prices. Anchors come from the sample
transactions (amount / quantity), the holdings (market value / quantity on the valuation date) and
a few scenario points in ``price_anchors.json`` (a run-up before a client chased a winner, a drop
before a panic sale). The same inputs give the same series on every machine: only
``random.Random`` with an integer seed is used.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

TRADING_DAYS_PER_YEAR = 252


def business_days(start: date, end: date) -> list[date]:
    """Monday to Friday from ``start`` to ``end`` inclusive (exchange holidays are not modelled)."""
    days: list[date] = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _anchor_index(days: list[date], anchors: Mapping[date, Iterable[float]]) -> dict[int, float]:
    """Each anchor on the last business day on or before its date; several on one day: geometric mean."""
    grouped: dict[int, list[float]] = defaultdict(list)
    for day, prices in anchors.items():
        if day < days[0] or day > days[-1]:
            continue
        index = max(i for i, d in enumerate(days) if d <= day)
        grouped[index].extend(p for p in prices if p > 0)
    return {i: math.exp(sum(math.log(p) for p in ps) / len(ps)) for i, ps in grouped.items() if ps}


def generate_series(
    days: list[date],
    *,
    anchors: Mapping[date, Iterable[float]],
    annual_volatility: float,
    seed: int,
    start_price: float = 1.0,
) -> list[float]:
    """One close per day in ``days``, passing through every anchor, rounded to 4 decimals."""
    if not days:
        return []
    pinned = _anchor_index(days, anchors) or {0: start_price}
    sigma = annual_volatility / math.sqrt(TRADING_DAYS_PER_YEAR)
    rng = random.Random(seed)
    walk = [0.0]
    for _ in days[1:]:
        walk.append(walk[-1] + rng.gauss(0.0, sigma))
    points = sorted(pinned.items())
    logs = [0.0] * len(days)
    first, last = points[0], points[-1]
    for i in range(0, first[0]):
        logs[i] = math.log(first[1]) + walk[i] - walk[first[0]]
    for (a, pa), (b, pb) in itertools.pairwise(points):
        for i in range(a, b + 1):
            t = (i - a) / (b - a)
            bridge = walk[i] - walk[a] - t * (walk[b] - walk[a])
            logs[i] = math.log(pa) + bridge + t * (math.log(pb) - math.log(pa))
    for i in range(last[0], len(days)):
        logs[i] = math.log(last[1]) + walk[i] - walk[last[0]]
    return [round(math.exp(x), 4) for x in logs]


def code_seed(code: str) -> int:
    """A stable integer seed for a product code (not ``hash()``, which is salted per process)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(code)) * 7919 + len(code)
