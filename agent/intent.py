"""Intent of a client message, by rules for now (a model-based classifier comes with its eval)."""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["product_suitability", "own_holdings", "trade_request", "knowledge"]

SUITABILITY = re.compile(r"合适|适合|适不适合|能不能买|可以买|能买|值得买|该不该买|要不要买|买入|买这|买点|配置|推荐")
HOLDINGS = re.compile(r"我的持仓|我持有|我买的|我的基金|我的账户|我的仓位|持仓")
TRADE = re.compile(r"帮我(买|卖|下单|申购|赎回)|替我(买|卖|操作)|代我")


def classify(text: str, *, has_product: bool) -> Intent:
    """The intent the turn acts on."""
    if TRADE.search(text):
        return "trade_request"
    if has_product and SUITABILITY.search(text):
        return "product_suitability"
    if HOLDINGS.search(text):
        return "own_holdings"
    return "knowledge"
