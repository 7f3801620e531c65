"""A second opinion on the sentences a claim backstop is unsure of: a small language model.

The character n-gram backstops (``guardrails.claim_scorer``) read wording they have seen; a
promise put in new words ("哪个敢让它亏", "就当加强版存款") often scores in the grey band below
the promise backstop's threshold, and a warning, a disclaimer or an honest track record that
shares a violation's words may score above a backstop's threshold. The judge is asked only about
the sentences whose backstop score falls in that rule's band (``claim_judge`` in ``policy.yaml``,
one band per rule it reviews, each with its own prompt): below the threshold it can flag a
sentence (where the band has a ``flag_at``), at or above it (when the patterns found nothing) it
can withdraw the backstop's flag. A band may lower the judge's bar where the backstop is surer
(``surer_from``, ``surer_flag_at``): two weak signals that agree are read as one strong one.
A band may also review the rule's patterns (``pattern_review_under``, ``pattern_withdraw_under``):
a sentence a pattern fired on that the backstop scores low ("哪有什么零风险的买卖", a negation or a
hypothetical the patterns' exceptions have not met) is read by the judge and let through when it
reads no claim either. Every other sentence is decided by the deterministic rails alone, so most
replies never wait for it. This module is pure logic; the model behind the protocol lives in
``agent.llm.claim_judge``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field, model_validator

logger = logging.getLogger(__name__)


class ClaimJudge(Protocol):
    """Gives the probability that one sentence makes a rule's banned claim."""

    @property
    def name(self) -> str: ...

    def probability(self, rule: str, sentence: str) -> float: ...


class JudgeBand(BaseModel):
    """When the judge is consulted on one rule's backstop, and what its answer does."""

    rule: str = Field(description="the pattern rule whose backstop the judge reviews")
    prompt: str = Field(description="the prompt the judge reads the sentence with (prompts/<prompt>.md)")
    consult_from: float = Field(default=0.0, ge=0.0, le=1.0, description="backstop scores from here up are reviewed")
    flag_at: float | None = Field(
        default=None, ge=0.0, le=1.0, description="below the backstop's threshold: the judge flags from this probability up (None: never)"
    )
    withdraw_under: float = Field(ge=0.0, le=1.0, description="at or above the threshold: the judge withdraws the flag below this")
    surer_from: float | None = Field(
        default=None, ge=0.0, le=1.0, description="backstop scores from here up (below the threshold) are flagged from surer_flag_at"
    )
    surer_flag_at: float | None = Field(default=None, ge=0.0, le=1.0, description="the judge's bar where the backstop is surer")
    pattern_review_under: float | None = Field(
        default=None, ge=0.0, le=1.0, description="a pattern's hit on a sentence the backstop scores under this is read by the judge"
    )
    pattern_withdraw_under: float | None = Field(
        default=None, ge=0.0, le=1.0, description="and withdrawn when the judge's probability is under this"
    )

    @model_validator(mode="after")
    def _surer_step_lowers_flag_at(self) -> JudgeBand:
        if (self.surer_from is None) != (self.surer_flag_at is None):
            raise ValueError("surer_from and surer_flag_at come together")
        if self.surer_flag_at is not None and (self.flag_at is None or self.surer_flag_at > self.flag_at):
            raise ValueError("surer_flag_at lowers flag_at: it needs a flag_at at least as high")
        if self.surer_from is not None and self.surer_from < self.consult_from:
            raise ValueError("surer_from lies inside the band: not below consult_from")
        if (self.pattern_review_under is None) != (self.pattern_withdraw_under is None):
            raise ValueError("pattern_review_under and pattern_withdraw_under come together")
        return self

    def consults(self, score: float, threshold: float) -> bool:
        """Whether the judge is asked about a sentence the backstop scored ``score`` against its
        ``threshold``: in the band, and either flagged (to withdraw) or where the band can flag."""
        return score >= self.consult_from and (score >= threshold or self.flag_at is not None)

    def flag_bar(self, score: float) -> float | None:
        """The judge's probability from which a sentence the backstop scored ``score`` (below its
        threshold) is flagged; None: never."""
        if self.surer_from is not None and self.surer_flag_at is not None and score >= self.surer_from:
            return self.surer_flag_at
        return self.flag_at


class JudgePolicy(BaseModel):
    """The ``claim_judge`` block of the policy: the model validated as the judge and its bands."""

    model: str = Field(description="the embedded model validated as the judge, whatever model chats")
    bands: list[JudgeBand]

    @model_validator(mode="after")
    def _one_band_per_rule(self) -> JudgePolicy:
        rules = [b.rule for b in self.bands]
        if len(set(rules)) != len(rules):
            raise ValueError(f"claim_judge has more than one band for a rule: {rules}")
        return self

    def band(self, rule: str) -> JudgeBand | None:
        return next((b for b in self.bands if b.rule == rule), None)

    @property
    def prompts(self) -> dict[str, str]:
        """Rule id to prompt name, what the model needs to be built."""
        return {b.rule: b.prompt for b in self.bands}


Review = Literal["flag", "withdraw", "keep", "pass"]


@dataclass(frozen=True)
class Verdict:
    """What the judge made of one sentence the backstop scored ``score``: ``flag`` and ``keep``
    mean the sentence is flagged; ``probability`` is None when the judge was not asked or failed."""

    review: Review
    probability: float | None = None

    @property
    def flagged(self) -> bool:
        return self.review in ("flag", "keep")


def review(sentence: str, score: float, threshold: float, band: JudgeBand | None, judge: ClaimJudge | None) -> Verdict:
    """The backstop's decision on ``sentence`` (``score`` against ``threshold``), reviewed by
    ``judge`` when the score is in the rule's band (a band without ``flag_at`` reviews flags only).
    Without a band or a judge, or when the judge fails, the backstop's decision stands
    (``keep``/``pass``), so the deterministic rails never get weaker."""
    flagged = score >= threshold
    if band is None or judge is None or not band.consults(score, threshold):
        return Verdict("keep" if flagged else "pass")
    try:
        probability = float(judge.probability(band.rule, sentence))
    except Exception as exc:  # any failure of the model leaves the backstop's decision
        logger.warning("claim judge %s failed on %s, the backstop decides alone: %s", judge.name, band.rule, exc)
        return Verdict("keep" if flagged else "pass")
    if flagged:
        return Verdict("withdraw" if probability < band.withdraw_under else "keep", probability)
    bar = band.flag_bar(score)
    return Verdict("flag" if bar is not None and probability >= bar else "pass", probability)


def review_pattern(sentence: str, score: float, band: JudgeBand | None, judge: ClaimJudge | None) -> Verdict:
    """A pattern's hit on ``sentence`` (the backstop scores it ``score``), reviewed by ``judge``
    where the band reviews patterns and the backstop scores the sentence under
    ``pattern_review_under``: ``withdraw`` when the judge's probability is under
    ``pattern_withdraw_under``, else ``keep``. Without the step, a judge, or when the judge fails,
    the pattern's hit stands."""
    if band is None or judge is None or band.pattern_review_under is None or band.pattern_withdraw_under is None:
        return Verdict("keep")
    if score >= band.pattern_review_under:
        return Verdict("keep")
    try:
        probability = float(judge.probability(band.rule, sentence))
    except Exception as exc:  # a failing model leaves the pattern's hit
        logger.warning("claim judge %s failed on a %s pattern hit, the hit stands: %s", judge.name, band.rule, exc)
        return Verdict("keep")
    return Verdict("withdraw" if probability < band.pattern_withdraw_under else "keep", probability)
