"""Load the compliance policy file once per process."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from guardrails.models import RuleHit, Severity

POLICY_FILE = Path(__file__).parent / "policy" / "policy.yaml"


class RuleSpec(BaseModel):
    severity: Severity
    version: int
    description: str


class Disclosure(BaseModel):
    risk_line: str
    data_line: str
    ai_label: str


class Policy(BaseModel):
    version: str
    rules: dict[str, RuleSpec]
    negations: list[str]
    mention_markers: list[str]
    claims: dict[str, list[str]]
    recommendation_cues: list[str]
    neutralisers: list[str]
    mismatch_markers: list[str]
    disclosure: Disclosure

    def hit(self, rule_id: str, detail: str = "", span: str | None = None) -> RuleHit:
        """A hit of ``rule_id`` with its severity and version from this policy."""
        spec = self.rules[rule_id]
        return RuleHit(rule_id=rule_id, severity=spec.severity, version=spec.version, detail=detail or spec.description, span=span)

    def compiled_claims(self) -> dict[str, list[re.Pattern[str]]]:
        return {rule: _compiled(tuple(pats)) for rule, pats in self.claims.items()}

    def compiled_recommendation_cues(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.recommendation_cues))


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> Policy:
    """The policy in ``path``; unknown rule ids in ``claims`` are a load error."""
    policy = Policy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    unknown = set(policy.claims) - set(policy.rules)
    if unknown:
        raise ValueError(f"policy claims name undefined rules: {sorted(unknown)}")
    return policy
