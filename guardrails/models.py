"""The typed results every rail returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["info", "rewrite", "block", "escalate"]
Action = Literal["pass", "rewrite", "block", "escalate"]
SuitabilityOutcome = Literal["suitable", "warn_and_confirm", "blocked", "reassess"]


class RuleHit(BaseModel):
    """One rule that fired on a text, with where and why."""

    rule_id: str
    severity: Severity
    version: int
    detail: str = ""
    span: str | None = Field(default=None, description="the text that triggered the rule")


class SuitabilityResult(BaseModel):
    """The deterministic suitability verdict for one product and one client."""

    product_code: str
    product_name: str
    product_risk: str
    client_class: str
    investor_type: str
    outcome: SuitabilityOutcome
    reason: str = Field(description="Chinese sentence explaining the outcome to the client")

    @property
    def is_suitable(self) -> bool:
        return self.outcome == "suitable"


class Verdict(BaseModel):
    """What the guardrail decided for a reply, and every rule that fired."""

    action: Action
    rules: list[RuleHit] = Field(default_factory=list)
    policy_version: str

    @property
    def rule_ids(self) -> list[str]:
        return [r.rule_id for r in self.rules]
