"""Run the tools a plan names against the client's records; results as context text and data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from agent.goal_request import GoalRequest, parse_goal_request
from agent.planner import Tool
from agent.tools.behaviour import behaviour_signals
from agent.tools.diagnosis import diagnose
from agent.tools.fees import fee_quote
from agent.tools.goals import GoalPlan, plan_for_target, project_monthly
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


def goal_plans(request: GoalRequest) -> list[GoalPlan]:
    """The monthly amount that reaches the target, and what the stated monthly amount grows to."""
    plans: list[GoalPlan] = []
    if request.target is not None:
        plans.append(plan_for_target(request.goal, request.target, request.years, current_savings=request.current_savings))
    if request.monthly:
        plans.append(project_monthly(request.goal, request.monthly, request.years, current_savings=request.current_savings))
    return plans


def _goal_text(plan: GoalPlan) -> str:
    """The plan's summary, with each figure also rounded to the yuan: a reply that rounds
    ("每月约6067元") is then still backed by the tool result the grounding rail reads."""
    rounded = [round(v) for s in plan.scenarios for v in (s.monthly_amount, s.future_value) if v is not None]
    return plan.summary_text() + "取整：" + "、".join(f"{v}元" for v in rounded) + "。"


def run_tools(
    session: Session, tools: tuple[Tool, ...], client_id: str, products: list[ProductView], text: str, today: date
) -> list[ToolOutput]:
    """The planned tools' results, in plan order. Fees need a product; without one they are skipped.
    Goals are worked out from the message itself."""
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
        elif tool == "goals" and (request := parse_goal_request(text)) is not None:
            outputs += [ToolOutput(tool, _goal_text(plan), plan.model_dump(mode="json")) for plan in goal_plans(request)]
    return outputs
