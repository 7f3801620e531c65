"""Which tools a turn runs and whether it hands the client to a person, planned from the
intent (the local model's function-calling format drops tool messages, so tools are not called
through the model; their results reach it as context text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.goal_request import parse_goal_request
from guardrails.models import SuitabilityResult
from records.leads import LeadReason

Tool = Literal["diagnosis", "behaviour", "fees", "goals"]
TOOLS_BY_INTENT: dict[str, tuple[Tool, ...]] = {
    "own_holdings": ("diagnosis", "behaviour"),
    "distress": ("diagnosis", "behaviour"),
    "fees": ("fees",),
    "trade_request": ("fees",),
}
COMPLAINT = re.compile(r"投诉|举报|曝光|维权|骗|坑人|不满|差评|12386")
REPEATED_FAILURES = 2
# a goal calculation is run whatever the intent, except where no advice is to be given
NO_GOALS_INTENTS = frozenset({"out_of_scope", "complaint_or_human", "distress"})


@dataclass(frozen=True)
class Lead:
    reason: LeadReason
    detail: str


@dataclass
class Plan:
    tools: tuple[Tool, ...] = ()
    leads: list[Lead] = field(default_factory=list)

    @property
    def hands_off(self) -> bool:
        return any(lead.reason in ("complaint", "human_requested", "distress", "repeated_failure") for lead in self.leads)


def plan_turn(intent: str, text: str, suitability: list[SuitabilityResult], recent_failures: int) -> Plan:
    """Tools for the intent (and the goal calculator when the message asks for one); a lead for
    the client's advisor where a person should follow up."""
    leads: list[Lead] = []
    if intent == "complaint_or_human":
        leads.append(Lead("complaint" if COMPLAINT.search(text) else "human_requested", text[:200]))
    elif intent == "distress":
        leads.append(Lead("distress", text[:200]))
    for result in suitability:
        if result.outcome in ("warn_and_confirm", "blocked"):
            leads.append(Lead("above_class_request", f"{result.product_name}（{result.product_risk}）/ 客户{result.client_class}"))
        elif result.outcome == "reassess":
            leads.append(Lead("reassessment_needed", result.reason))
    if recent_failures >= REPEATED_FAILURES and not any(lead.reason != "above_class_request" for lead in leads):
        leads.append(Lead("repeated_failure", f"连续{recent_failures}轮未能给出回答"))
    tools = TOOLS_BY_INTENT.get(intent, ())
    if intent not in NO_GOALS_INTENTS and parse_goal_request(text) is not None:
        tools = (*tools, "goals")
    return Plan(tools=tools, leads=leads)
