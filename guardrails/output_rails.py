"""Output rails: check a drafted reply, decide the verdict, and add the disclosures."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from guardrails.claims import clause_prefix, find_claims, is_negated
from guardrails.models import Action, RuleHit, SuitabilityResult, Verdict
from guardrails.pii import find_pii
from guardrails.policy import Policy

SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
DEICTIC = re.compile(r"这只|这支|这款|这个产品|该基金|该产品|此基金|此产品|它")
# Words that point a sentence at something other than the product in question.
OTHER_TARGETS = re.compile(r"货币基金|货基|债券基金|纯债|债基|银行存款|国债|低风险产品|R1|R2|稳健类")
ACTION_ORDER: dict[Action, int] = {"pass": 0, "rewrite": 1, "block": 2, "escalate": 3}


ECHO_WINDOW = 12


class ReplyContext(BaseModel):
    """What the rails need to know about the turn a reply belongs to."""

    suitability: list[SuitabilityResult] = Field(default_factory=list)
    canary: str | None = None
    instructions: list[str] = Field(default_factory=list, description="prompt instruction texts a reply must never reproduce")


def echoed_instruction(text: str, instructions: list[str], window: int = ECHO_WINDOW) -> str | None:
    """A run of ``window`` characters that the reply copies from the prompt's instructions.

    Catches a leaked system prompt even without the canary, and a small model that parrots its
    instructions instead of answering."""
    shingles = {s[i : i + window] for s in instructions for i in range(len(s) - window + 1)}
    return next((text[i : i + window] for i in range(len(text) - window + 1) if text[i : i + window] in shingles), None)


def _hit(policy: Policy, rule_id: str, detail: str = "", span: str | None = None) -> RuleHit:
    spec = policy.rules[rule_id]
    return RuleHit(rule_id=rule_id, severity=spec.severity, version=spec.version, detail=detail or spec.description, span=span)


def _targets_product(sentence: str, result: SuitabilityResult) -> bool:
    if result.product_name in sentence or result.product_code in sentence or DEICTIC.search(sentence):
        return True
    return not OTHER_TARGETS.search(sentence)


def find_affirmation(text: str, unsuitable: list[SuitabilityResult], policy: Policy) -> str | None:
    """The first sentence that calls an unsuitable product suitable or recommends it, if any."""
    patterns = policy.compiled_affirmations()
    for sentence in SENTENCE.findall(text):
        for pattern in patterns:
            for m in pattern.finditer(sentence):
                if is_negated(sentence, m.start(), policy.negations):
                    continue
                prefix = sentence[: m.start()]
                if any(n in prefix for n in policy.neutralisers) or any(n in clause_prefix(sentence, m.start()) for n in policy.negations):
                    continue
                if any(_targets_product(sentence, r) for r in unsuitable):
                    return str(sentence).strip()
    return None


def check_reply(text: str, ctx: ReplyContext, policy: Policy) -> list[RuleHit]:
    """Every rule the drafted ``text`` breaks."""
    hits = find_claims(text, policy)
    unsuitable = [s for s in ctx.suitability if not s.is_suitable]
    if unsuitable:
        sentence = find_affirmation(text, unsuitable, policy)
        if sentence:
            hits.append(_hit(policy, "suitability.above_class", span=sentence))
        elif not any(marker in text for marker in policy.mismatch_markers):
            hits.append(_hit(policy, "suitability.not_stated"))
    if ctx.canary and ctx.canary in text:
        hits.append(_hit(policy, "privacy.system_prompt_leak", span=ctx.canary))
    elif echo := echoed_instruction(text, ctx.instructions):
        hits.append(_hit(policy, "privacy.system_prompt_leak", detail="回复复述了提示词中的指令", span=echo))
    if find_pii(text):
        hits.append(_hit(policy, "privacy.pii"))
    return hits


def decide(hits: list[RuleHit], policy: Policy) -> Verdict:
    """The strongest action any hit asks for; no hit means pass."""
    action: Action = "pass"
    for hit in hits:
        wanted: Action = "pass" if hit.severity == "info" else hit.severity
        if ACTION_ORDER[wanted] > ACTION_ORDER[action]:
            action = wanted
    return Verdict(action=action, rules=hits, policy_version=policy.version)


def with_disclosures(text: str, policy: Policy, *, advice: bool = True) -> str:
    """The reply as shown: the text, the risk and data lines on advice, and the AI label."""
    lines = [text.strip()]
    if advice:
        lines += [policy.disclosure.risk_line, policy.disclosure.data_line]
    lines.append(policy.disclosure.ai_label)
    return "\n\n".join(lines)
