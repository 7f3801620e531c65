"""A second opinion on the sentences the promise backstop is unsure of: a small language model.

The character n-gram backstop (``guardrails.claim_scorer``) reads wording it has seen; a promise
put in new words ("哪个敢让它亏", "就当加强版存款") often scores in the grey band below its
threshold, and a warning that shares the promise's words may score above it. The judge is asked
only about the sentences whose backstop score falls in the policy's band (``claim_judge`` in
``policy.yaml``): below the threshold it can flag a sentence, above it (when the patterns found
nothing) it can withdraw the backstop's flag. Every other sentence is decided by the deterministic
rails alone, so most replies never wait for it. This module is pure logic; the model behind the
protocol lives in ``agent.llm.claim_judge``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

logger = logging.getLogger(__name__)


class ClaimJudge(Protocol):
    """Gives the probability that one sentence promises a return or the safety of principal."""

    @property
    def name(self) -> str: ...

    def promise_probability(self, sentence: str) -> float: ...


class JudgeBand(BaseModel):
    """When the judge is consulted, and what its answer does (``claim_judge`` in the policy)."""

    rule: str = Field(description="the pattern rule whose backstop the judge reviews")
    model: str = Field(description="the embedded model validated as the judge, whatever model chats")
    consult_from: float = Field(ge=0.0, le=1.0, description="backstop scores from here up are reviewed")
    flag_at: float = Field(ge=0.0, le=1.0, description="below the backstop's threshold: the judge flags at this probability or above")
    withdraw_under: float = Field(ge=0.0, le=1.0, description="at or above the threshold: the judge withdraws the flag below this")


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


def review(sentence: str, score: float, threshold: float, band: JudgeBand, judge: ClaimJudge | None) -> Verdict:
    """The backstop's decision on ``sentence`` (``score`` against ``threshold``), reviewed by
    ``judge`` when the score is in the band. Without a judge, or when it fails, the backstop's
    decision stands (``keep``/``pass``), so the deterministic rails never get weaker."""
    flagged = score >= threshold
    if judge is None or score < band.consult_from:
        return Verdict("keep" if flagged else "pass")
    try:
        probability = float(judge.promise_probability(sentence))
    except Exception as exc:  # any failure of the model leaves the backstop's decision
        logger.warning("claim judge %s failed, the backstop decides alone: %s", judge.name, exc)
        return Verdict("keep" if flagged else "pass")
    if flagged:
        return Verdict("withdraw" if probability < band.withdraw_under else "keep", probability)
    return Verdict("flag" if probability >= band.flag_at else "pass", probability)
