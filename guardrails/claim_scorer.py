"""Learned backstops for the banned-claim rules: one character n-gram logistic regression per rule.

The pattern rules (``guardrails.claims``) name the claim they saw; paraphrases they have never
seen ("本金一分不会少", "底部已确认", "胜率极高", "把账户交给我") slip through. Each backstop reads a
sentence's lower-cased character n-grams (TF-IDF with sublinear term frequency, L2-normalised,
exactly as at training; the vocabulary and its IDF are shared by the rules) and gives the
probability that the sentence makes its rule's claim. The weights are data
(``policy/claim_scorer.json``), built by ``python -m evals.train_claim_scorer`` from the labelled
replies; a hit names its score and the n-grams that pushed it up. Pure arithmetic at check time:
no model, no I/O after loading.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCORER_FILE = Path(__file__).parent / "policy" / "claim_scorer.json"
WHITESPACE = re.compile(r"\s+")
NGRAMS = (1, 3)

BACKSTOPS: dict[str, str] = {
    "claims.guaranteed_return": "claims.likely_guarantee",
    "claims.certainty": "claims.likely_certainty",
    "claims.exaggerated_performance": "claims.likely_exaggeration",
    "claims.trade_on_behalf": "claims.likely_trade_on_behalf",
}
"""Each pattern rule that has a learned backstop, and the backstop's own rule id."""
BACKED_UP: dict[str, str] = {backstop: rule for rule, backstop in BACKSTOPS.items()}
"""Each backstop rule id, and the pattern rule it backs up."""


def char_ngrams(text: str, ngrams: tuple[int, int] = NGRAMS) -> list[str]:
    """The features: lower-cased character n-grams, whitespace runs squeezed to one space."""
    squeezed = WHITESPACE.sub(" ", text.lower()).strip()
    return [squeezed[i : i + n] for n in range(ngrams[0], ngrams[1] + 1) for i in range(len(squeezed) - n + 1)]


def tfidf(text: str, idf: dict[str, float], ngrams: tuple[int, int] = NGRAMS) -> dict[str, float]:
    """``text``'s TF-IDF vector over the vocabulary ``idf`` (sublinear term frequency,
    L2-normalised, as scikit-learn's ``TfidfVectorizer`` computes it), sparse."""
    counts = Counter(g for g in char_ngrams(text, ngrams) if g in idf)
    weights = {g: (1.0 + math.log(c)) * idf[g] for g, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}


@dataclass(frozen=True)
class Scored:
    probability: float
    drivers: list[str]
    """The n-grams that contributed most to the score (for the compliance view)."""


def logistic(vector: dict[str, float], coef: dict[str, float], intercept: float) -> Scored:
    """A logistic regression's probability for a sparse ``vector``, with the five n-grams that
    pushed it up most (the explanation a hit carries)."""
    parts = {g: w * coef[g] for g, w in vector.items() if g in coef}
    logit = intercept + sum(parts.values())
    drivers = [g for g, v in sorted(parts.items(), key=lambda kv: -kv[1])[:5] if v > 0 and len(g) > 1]
    return Scored(1.0 / (1.0 + math.exp(-logit)), drivers)


@dataclass(frozen=True)
class RuleModel:
    """One rule's logistic regression over the shared features, and its decision threshold."""

    rule: str
    backstop: str
    threshold: float
    intercept: float
    coef: dict[str, float]


@dataclass(frozen=True)
class ClaimScorer:
    version: str
    ngrams: tuple[int, int]
    idf: dict[str, float]
    models: dict[str, RuleModel]

    def features(self, text: str) -> dict[str, float]:
        """The sentence's TF-IDF vector (sublinear term frequency, L2-normalised), sparse."""
        return tfidf(text, self.idf, self.ngrams)

    def score(self, text: str, rule: str = "claims.guaranteed_return", features: dict[str, float] | None = None) -> Scored:
        """The probability that ``text`` makes ``rule``'s claim."""
        model = self.models[rule]
        return logistic(self.features(text) if features is None else features, model.coef, model.intercept)


def scorer_from_json(payload: dict[str, object]) -> ClaimScorer:
    """The scorer a ``claim_scorer.json`` payload describes; ``ValueError`` when it is malformed."""
    features, rules = payload.get("features"), payload.get("rules")
    if not isinstance(features, dict):
        raise ValueError("claim scorer file: 'features' must map n-grams to [idf, weight per rule]")
    if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("rule") in BACKSTOPS for r in rules):
        raise ValueError(f"claim scorer file: 'rules' must list models of {sorted(BACKSTOPS)}")
    ngrams = payload.get("ngrams", list(NGRAMS))
    if not isinstance(ngrams, list) or len(ngrams) != 2:
        raise ValueError("claim scorer file: 'ngrams' must be [smallest, largest]")
    models = {}
    for column, spec in enumerate(rules, start=1):
        rule = str(spec["rule"])
        coef = {g: float(v[column]) for g, v in features.items() if v[column]}
        models[rule] = RuleModel(rule, BACKSTOPS[rule], float(spec["threshold"]), float(spec["intercept"]), coef)
    return ClaimScorer(
        version=str(payload["version"]),
        ngrams=(int(ngrams[0]), int(ngrams[1])),
        idf={g: float(v[0]) for g, v in features.items()},
        models=models,
    )


@lru_cache(maxsize=2)
def load_scorer(path: Path = SCORER_FILE) -> ClaimScorer | None:
    """The shipped scorers, or None when the file is absent (the pattern rules still run)."""
    if not path.is_file():
        return None
    return scorer_from_json(json.loads(path.read_text(encoding="utf-8")))
