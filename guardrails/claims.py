"""Banned claims: promised returns, certainty, exaggerated performance, trading for the client,
and a reply that recites its own instructions.

A pattern match is not a claim when the words just before it in the same clause negate it
("本基金不保本", "我们不会代您下单"), when it sits inside quotation marks (a claim being quoted,
usually to warn against it), or when its sentence talks about the claim rather than making it
("保本基金在资管新规后退出了市场"). A negation's scope ends at 就/都/便/则, so the condition in
"只要不赎回就不会亏" does not cancel the promise after it.
"""

from __future__ import annotations

import re

from guardrails.models import RuleHit
from guardrails.policy import Policy

CLAUSE_BREAK = re.compile(r"[。！？；!?;，,：:\n]")
SENTENCE_BREAK = re.compile(r"[。！？!?\n]")
SCOPE_BREAK = re.compile(r"[就都便则]")
LOOKBACK = 10
QUOTES = (("“", "”"), ("「", "」"), ("『", "』"))


def clause_prefix(text: str, start: int) -> str:
    """The text of the clause before ``start``, at most LOOKBACK characters."""
    window = text[max(0, start - LOOKBACK) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def is_negated(text: str, start: int, negations: list[str]) -> bool:
    prefix = clause_prefix(text, start)
    scope = list(SCOPE_BREAK.finditer(prefix))
    if scope:
        prefix = prefix[scope[-1].end() :]
    return any(neg in prefix for neg in negations)


def in_quotes(text: str, start: int) -> bool:
    """Whether ``start`` falls inside a quotation (Chinese corner or curly quotes, or ASCII ")."""
    before = text[:start]
    if any(before.count(open_) > before.count(close) for open_, close in QUOTES):
        return True
    return before.count('"') % 2 == 1


def sentence_at(text: str, start: int) -> str:
    begin = max((m.end() for m in SENTENCE_BREAK.finditer(text, 0, start)), default=0)
    end = SENTENCE_BREAK.search(text, start)
    return text[begin : end.start() if end else len(text)]


def is_claim(text: str, match: re.Match[str], policy: Policy) -> bool:
    start = match.start()
    if is_negated(text, start, policy.negations) or in_quotes(text, start):
        return False
    sentence = sentence_at(text, start)
    return not any(marker in sentence for marker in policy.mention_markers)


def find_claims(text: str, policy: Policy) -> list[RuleHit]:
    """Every banned-claim rule that fires on ``text`` (one hit per rule, the first span)."""
    hits: list[RuleHit] = []
    for rule_id, patterns in policy.compiled_claims().items():
        for pattern in patterns:
            match = next((m for m in pattern.finditer(text) if is_claim(text, m, policy)), None)
            if match:
                hits.append(policy.hit(rule_id, span=match.group(0)))
                break
    return hits
