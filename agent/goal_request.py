"""A savings-goal calculation asked for in a client's message ("20年后攒够200万养老，每月存多少？").

Pure: text in, a :class:`GoalRequest` or ``None`` out. The turn runs the goal calculators
(``agent.tools.goals``) on it. The records keep only an age band, never an exact age, so
"到60岁" counts only when the message itself says how old the client is ("我今年35岁").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

GoalKind = Literal["retirement", "education", "general"]
GOAL_NAMES: dict[GoalKind, str] = {"retirement": "养老储备", "education": "子女教育金", "general": "目标储蓄"}
MAX_YEARS = 60

_NUM = r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])"
_UNIT = r"(万元|万块|万|[wW]|千元|千块|千|[kK]|元|块)?"
AMOUNT = re.compile(_NUM + r"\s*" + _UNIT)
SCALE = {"万元": 1e4, "万块": 1e4, "万": 1e4, "w": 1e4, "W": 1e4, "千元": 1e3, "千块": 1e3, "千": 1e3, "k": 1e3, "K": 1e3}
# a number followed by these is a duration, an age, a share or a count, not an amount
NOT_AMOUNT = re.compile(r"\s*(?:年|岁|个|月|天|%|％|倍|次|只|期)")
CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMBER = r"[一二两三四五六七八九十]{1,3}"
_YEARS = rf"(\d+(?:\.\d+)?|{CN_NUMBER})\s*年(?!级)"
HORIZON = (
    re.compile(_YEARS + r"\s*(?:以?后|之?内|里|时间|之后|左右后)"),
    re.compile(r"(?:再过|过|还有|用|花|攒|存|投)\s*" + _YEARS),
)
MONTHS_HORIZON = re.compile(r"(\d+)\s*个月\s*(?:以?后|之?内)")
AGE_NOW = re.compile(r"(?:今年|我|现在|目前)\s*(\d{2})\s*岁")
AGE_THEN = re.compile(r"(?:到|在|等到)\s*(\d{2})\s*岁|(\d{2})\s*岁\s*(?:退休|的时候|时)")
MONTHLY = re.compile(r"(?:每个?月|月供|月投|按月)\s*(?:存|投|定投|攒|拿出|投入|放|供)?\s*(?:个|了)?\s*" + _NUM + r"\s*" + _UNIT)
SAVINGS = re.compile(r"(?:已有|已经有|现在有|目前有|手上有|手头有|已经攒了|已攒|攒了|现有|存了|已经存了)\s*" + _NUM + r"\s*" + _UNIT)
# the message must ask for a number to be worked out, and be about saving towards something
ASKS = re.compile(r"多少|几[千万百]|怎么(?:存|攒|准备|规划|定投)|如何(?:存|攒|准备|规划|定投)|够不够|能不能|够吗|来得及|算一?下|测算")
SAVING = re.compile(r"攒|存|定投|储备|积累|准备|养老|退休|教育|上大学|大学|留学|学费|目标|首付|凑够|备用")
RETIREMENT = re.compile(r"养老|退休")
EDUCATION = re.compile(r"教育|上大学|大学|留学|学费|孩子|子女|儿子|女儿|读书|上学")


@dataclass(frozen=True)
class GoalRequest:
    """What to calculate: the monthly amount for ``target``, what ``monthly`` grows to, or both."""

    kind: GoalKind
    years: float
    target: float | None = None
    monthly: float | None = None
    current_savings: float = 0.0

    @property
    def goal(self) -> str:
        return GOAL_NAMES[self.kind]


def _cn_number(raw: str) -> int:
    """十 -> 10, 十五 -> 15, 二十 -> 20, 三十五 -> 35, 八 -> 8."""
    if "十" not in raw:
        return CN_DIGITS.get(raw, 0)
    tens, _, ones = raw.partition("十")
    return (CN_DIGITS.get(tens, 0) if tens else 1) * 10 + CN_DIGITS.get(ones, 0)


def _amount(number: str, unit: str | None) -> float:
    return float(number) * SCALE.get(unit or "", 1.0)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def _years(text: str) -> float | None:
    for pattern in HORIZON:
        m = pattern.search(text)
        if m:
            raw = m.group(1)
            return float(raw) if raw[0].isdigit() else float(_cn_number(raw))
    m = MONTHS_HORIZON.search(text)
    if m:
        return int(m.group(1)) / 12
    now, then = AGE_NOW.search(text), AGE_THEN.search(text)
    if now and then and then.start() != now.start():
        return float(int(then.group(1) or then.group(2)) - int(now.group(1)))
    return None


def _target(text: str, taken: list[tuple[int, int]]) -> float | None:
    """The largest amount that is neither the monthly amount nor today's savings."""
    best: float | None = None
    for m in AMOUNT.finditer(text):
        if any(m.start() < end and start < m.end() for start, end in taken):
            continue
        if not m.group(2) and (NOT_AMOUNT.match(text, m.end()) or float(m.group(1)) < 10_000):
            continue  # a bare number counts only when it is plainly a sum ("1000000")
        value = _amount(m.group(1), m.group(2))
        best = value if best is None else max(best, value)
    return best


def parse_goal_request(message: str) -> GoalRequest | None:
    """The goal calculation ``message`` asks for, or ``None`` when it asks for none."""
    text = _clean(message)
    if not ASKS.search(text) or not SAVING.search(text):
        return None
    years = _years(text)
    if years is None or not 0 < years <= MAX_YEARS or round(years * 12) < 1:
        return None
    taken: list[tuple[int, int]] = []
    monthly = MONTHLY.search(text)
    savings = SAVINGS.search(text)
    for m in (monthly, savings):
        if m:
            taken.append(m.span())
    target = _target(text, taken)
    monthly_amount = _amount(monthly.group(1), monthly.group(2)) if monthly else None
    if target is None and not monthly_amount:
        return None
    kind: GoalKind = "retirement" if RETIREMENT.search(text) else "education" if EDUCATION.search(text) else "general"
    current = _amount(savings.group(1), savings.group(2)) if savings else 0.0
    return GoalRequest(kind=kind, years=years, target=target, monthly=monthly_amount, current_savings=current)
