"""Banned claims: promised returns, certainty, exaggerated performance, trading for the client,
and a reply that recites its own instructions.

A pattern match is not a claim when a negation covers it in the same clause ("本基金不保本",
"我们不会代您下单"; see ``guardrails.scope``), when it sits inside quotation marks (a claim being
quoted, usually to warn against it), or when its sentence talks about the claim rather than
making it ("保本基金在资管新规后退出了市场", "这种说法不合规"), or when it asks rather than
asserts ("您是想找保本的产品吗？", but not the rhetorical "怎么会亏呢？"), or when its clause disowns it
after the fact ("全权委托投资在我们这里是不允许的", "跟保证收益没有关系"). The policy's patterns come in
families (a banned term; a certainty marker with an outcome; the principal kept whole; a locked
return; someone bearing the loss; effortless gain); a hit names the rule, the pattern and the span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrails.models import RuleHit
from guardrails.policy import Policy
from guardrails.scope import CLAUSE_BREAK, in_quotes, is_negated, is_question, sentence_at, statement_at

MATCH = "Ⓧ"


def is_disowned(text: str, match: re.Match[str], policy: Policy) -> bool:
    """Whether the clause holding ``match`` forbids it or sets it apart, read with the match as Ⓧ
    (a negation that comes after the phrase, which ``is_negated`` cannot see)."""
    begin = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, match.start())), default=0)
    end = CLAUSE_BREAK.search(text, match.end())
    clause = text[begin : match.start()] + MATCH + text[match.end() : end.start() if end else len(text)]
    return any(p.search(clause) for p in policy.compiled_disowning())


def is_claim(text: str, match: re.Match[str], policy: Policy, rule_id: str = "") -> bool:
    """Whether ``match`` makes the claim rather than negating, quoting or discussing it (for a
    promised return: or stating a fact about deposits)."""
    start = match.start()
    facts = policy.deposit_facts
    if rule_id == "claims.guaranteed_return" and facts is not None:
        statement, before = statement_at(text, start)
        if facts.states_fact(before, statement):
            return False
    if is_negated(text, start, policy.negations, policy.false_negations) or in_quotes(text, start):
        return False
    if is_question(text, start, policy.rhetorical_markers, policy.compiled_tag_questions()) or is_disowned(text, match, policy):
        return False
    sentence = sentence_at(text, start)
    return not any(marker.search(sentence) for marker in policy.compiled_mention_markers())


def claim_matches(text: str, policy: Policy, rule_id: str) -> Iterator[tuple[int, re.Match[str]]]:
    """Every place ``rule_id``'s patterns make their claim in ``text``, pattern by pattern (its
    number from 1, and the match), in order: what is negated, quoted or discussed is left out."""
    for number, pattern in enumerate(policy.compiled_claims().get(rule_id, []), start=1):
        for match in pattern.finditer(text):
            if is_claim(text, match, policy, rule_id):
                yield number, match


def claim_spans(text: str, policy: Policy, rule_id: str) -> list[tuple[int, int]]:
    """Where :func:`claim_matches` finds ``rule_id``'s claims (all of them, where
    :func:`find_claims` stops at the first)."""
    return [(m.start(), m.end()) for _, m in claim_matches(text, policy, rule_id)]


def find_claims(text: str, policy: Policy) -> list[RuleHit]:
    """Every banned-claim rule that fires on ``text`` (one hit per rule, the first span)."""
    hits: list[RuleHit] = []
    for rule_id in policy.compiled_claims():
        first = next(claim_matches(text, policy, rule_id), None)
        if first:
            number, match = first
            detail = f"{policy.rules[rule_id].description}（规则{rule_id} v{policy.rules[rule_id].version}，模式{number}）"
            hits.append(policy.hit(rule_id, detail=detail, span=match.group(0)))
    return hits
