"""Banned claims: promised returns, certainty, exaggerated performance, trading for the client.

Each pattern match is checked against the words just before it in the same clause: a negated
match ("本基金不保本", "我们不会代您下单") is a compliant statement and does not fire.
"""

from __future__ import annotations

import re

from guardrails.models import RuleHit
from guardrails.policy import Policy

CLAUSE_BREAK = re.compile(r"[。！？；!?;，,：:\n]")
LOOKBACK = 10


def clause_prefix(text: str, start: int) -> str:
    """The text of the clause before ``start``, at most LOOKBACK characters."""
    window = text[max(0, start - LOOKBACK) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def is_negated(text: str, start: int, negations: list[str]) -> bool:
    prefix = clause_prefix(text, start)
    return any(neg in prefix for neg in negations)


def find_claims(text: str, policy: Policy) -> list[RuleHit]:
    """Every banned-claim rule that fires on ``text`` (one hit per rule, the first span)."""
    hits: list[RuleHit] = []
    for rule_id, patterns in policy.compiled_claims().items():
        spec = policy.rules[rule_id]
        for pattern in patterns:
            match = next((m for m in pattern.finditer(text) if not is_negated(text, m.start(), policy.negations)), None)
            if match:
                hits.append(
                    RuleHit(rule_id=rule_id, severity=spec.severity, version=spec.version, detail=spec.description, span=match.group(0))
                )
                break
    return hits
