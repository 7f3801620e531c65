"""Run the tools a plan names against the client's records; results as context text and data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from agent.planner import Tool
from agent.tools.behaviour import behaviour_signals
from agent.tools.diagnosis import diagnose
from agent.tools.fees import fee_quote
from agent.tools.loader import load_book
from agent.tools.models import ToolResult
from records.repository import ProductView

AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|千|元|块)")
HOLDING = re.compile(r"(?:持有|拿|放)了?\s*(\d+)\s*(天|个?月|年)")
DEFAULT_AMOUNT = 10_000.0
DAYS = {"天": 1, "月": 30, "个月": 30, "年": 365}


@dataclass
class ToolOutput:
    tool: str
    text: str
    data: dict[str, Any]


def parse_amount(text: str) -> float | None:
    """The first amount a client wrote ("5万", "3000元", "2千块")."""
    m = AMOUNT.search(text)
    if not m:
        return None
    return float(m.group(1)) * {"万": 10_000.0, "千": 1_000.0}.get(m.group(2), 1.0)


def parse_holding_days(text: str) -> int | None:
    m = HOLDING.search(text)
    return int(m.group(1)) * DAYS[m.group(2)] if m else None


def _out(tool: str, result: ToolResult) -> ToolOutput:
    return ToolOutput(tool=tool, text=result.summary_text(), data=result.model_dump(mode="json"))


def run_tools(
    session: Session, tools: tuple[Tool, ...], client_id: str, products: list[ProductView], text: str, today: date
) -> list[ToolOutput]:
    """The planned tools' results, in plan order. Fees need a product; without one they are skipped."""
    outputs: list[ToolOutput] = []
    book = load_book(session, client_id) if {"diagnosis", "behaviour"} & set(tools) else None
    for tool in tools:
        if tool == "diagnosis" and book is not None:
            outputs.append(_out(tool, diagnose(book, today)))
        elif tool == "behaviour" and book is not None:
            outputs.append(_out(tool, behaviour_signals(book, today)))
        elif tool == "fees":
            amount = parse_amount(text) or DEFAULT_AMOUNT
            days = parse_holding_days(text)
            outputs += [_out(tool, fee_quote(p, amount, days)) for p in products[:2] if p.fees]
    return outputs
