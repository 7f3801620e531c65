"""Load the compliance policy file once per process."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from guardrails.claim_judge import JudgePolicy
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


class DepositFacts(BaseModel):
    """A statement about deposits or government bonds themselves (定期提前支取本金不会少, 大额存单受存款
    保险保护) states a fact about them, not a promise about a product: a deposit is named before the
    promise-like phrase, and the statement compares nothing with a deposit and names no product."""

    subjects: str = Field(description="pattern: a deposit or government bond named in the statement")
    comparisons: str = Field(description="pattern: a comparison with a deposit (一样, 相当于, 比, 就当, like)")
    product_references: str = Field(description="pattern: the statement points at a product (这只, 本产品, this fund)")

    def states_fact(self, before: str, statement: str) -> bool:
        """Whether ``statement``, where ``before`` precedes the phrase, is about deposits only."""
        return bool(
            re.search(self.subjects, before)
            and not re.search(self.comparisons, statement)
            and not re.search(self.product_references, statement)
        )


class Policy(BaseModel):
    version: str
    rules: dict[str, RuleSpec]
    negations: list[str]
    false_negations: list[str] = Field(
        default_factory=list, description="words that contain a negation character but negate nothing (不过, 不少)"
    )
    mention_markers: list[str] = Field(description="patterns: a sentence with one talks about a claim rather than making it")
    disowning_patterns: list[str] = Field(
        default_factory=list, description="patterns over a claim's clause, the match as Ⓧ: the clause forbids or sets the match apart"
    )
    rhetorical_markers: list[str] = Field(default_factory=list, description="plain phrases: a question with one still makes its claim")
    tag_questions: list[str] = Field(
        default_factory=list, description="patterns over a question's last clause (lower-cased): a tag asking to agree, so it asserts"
    )
    claims: dict[str, list[str]]
    deposit_facts: DepositFacts | None = Field(default=None, description="when a promise pattern states a fact about deposits")
    claim_judge: JudgePolicy | None = Field(default=None, description="which backstop scores a language model reviews, and how")
    recommendation_cues: list[str]
    soft_recommendation_cues: list[str] = Field(default_factory=list, description="patterns: weak cues, read when nothing is declined")
    leading_questions: list[str] = Field(default_factory=list, description="patterns: a question with one still recommends")
    neutralisers: list[str] = Field(description="patterns: before a cue, they make it a question, a condition or someone else's advice")
    mismatch_markers: list[str] = Field(description="plain phrases: a reply with one states the product does not match the client")
    decline_patterns: list[str] = Field(default_factory=list, description="patterns: a statement with one declines or refuses the product")
    other_targets: list[str] = Field(default_factory=list, description="patterns: an unnamed cue beside one points at something else")
    disclosure: Disclosure

    def hit(self, rule_id: str, detail: str = "", span: str | None = None) -> RuleHit:
        """A hit of ``rule_id`` with its severity and version from this policy."""
        spec = self.rules[rule_id]
        return RuleHit(rule_id=rule_id, severity=spec.severity, version=spec.version, detail=detail or spec.description, span=span)

    def compiled_claims(self) -> dict[str, list[re.Pattern[str]]]:
        return {rule: _compiled(tuple(pats)) for rule, pats in self.claims.items()}

    def compiled_disowning(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.disowning_patterns))

    def compiled_recommendation_cues(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.recommendation_cues))

    def compiled_soft_cues(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.soft_recommendation_cues))

    def compiled_tag_questions(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.tag_questions))

    def compiled_mention_markers(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.mention_markers))

    def compiled_leading_questions(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.leading_questions))

    def compiled_neutralisers(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.neutralisers))

    def compiled_declines(self) -> list[re.Pattern[str]]:
        return _compiled_declines(tuple(self.decline_patterns), tuple(self.mismatch_markers))

    def compiled_other_targets(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.other_targets))


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


@lru_cache(maxsize=8)
def _compiled_declines(patterns: tuple[str, ...], plain: tuple[str, ...]) -> list[re.Pattern[str]]:
    return _compiled(patterns + tuple(re.escape(m) for m in plain))


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> Policy:
    """The policy in ``path``, checked by :func:`check_policy`."""
    return check_policy(Policy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))))


def check_policy(policy: Policy) -> Policy:
    """``policy`` unchanged; unknown rule ids in ``claims``, or a judge band on a rule without
    claim patterns, are a ``ValueError``."""
    unknown = set(policy.claims) - set(policy.rules)
    if unknown:
        raise ValueError(f"policy claims name undefined rules: {sorted(unknown)}")
    reviewed = {b.rule for b in policy.claim_judge.bands} if policy.claim_judge else set()
    if reviewed - set(policy.claims):
        raise ValueError(f"policy claim_judge reviews {sorted(reviewed - set(policy.claims))}, which have no claim patterns")
    return policy
