"""A learned backstop for promised returns: a character n-gram logistic regression.

The pattern rules (``guardrails.claims``) name the promise they saw; paraphrases they have never
seen ("本金一分不会少", "就当高息存款") slip through. This scorer reads a sentence's character
1-3-grams (TF-IDF, sublinear term frequency, L2-normalised, exactly as at training) and gives the
probability that it promises a return. Its weights are data (``policy/claim_scorer.json``), built
by ``python -m evals.train_claim_scorer`` from the labelled replies; a hit names its score and the
n-grams that pushed it up. Pure arithmetic at check time: no model, no I/O after loading.
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


def char_ngrams(text: str) -> list[str]:
    """The features: lower-cased character 1-3-grams, whitespace runs squeezed to one space."""
    squeezed = WHITESPACE.sub(" ", text.lower()).strip()
    return [squeezed[i : i + n] for n in range(NGRAMS[0], NGRAMS[1] + 1) for i in range(len(squeezed) - n + 1)]


@dataclass(frozen=True)
class Scored:
    probability: float
    drivers: list[str]
    """The n-grams that contributed most to the score (for the compliance view)."""


@dataclass(frozen=True)
class ClaimScorer:
    version: str
    threshold: float
    intercept: float
    idf: dict[str, float]
    coef: dict[str, float]

    def score(self, text: str) -> Scored:
        counts = Counter(g for g in char_ngrams(text) if g in self.idf)
        if not counts:
            return Scored(1.0 / (1.0 + math.exp(-self.intercept)), [])
        weights = {g: (1.0 + math.log(c)) * self.idf[g] for g, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        parts = {g: w / norm * self.coef.get(g, 0.0) for g, w in weights.items()}
        logit = self.intercept + sum(parts.values())
        drivers = [g for g, v in sorted(parts.items(), key=lambda kv: -kv[1])[:5] if v > 0 and len(g) > 1]
        return Scored(1.0 / (1.0 + math.exp(-logit)), drivers)

    def flags(self, text: str) -> Scored | None:
        scored = self.score(text)
        return scored if scored.probability >= self.threshold else None


def scorer_from_json(payload: dict[str, object]) -> ClaimScorer:
    features = payload["features"]
    if not isinstance(features, dict):
        raise ValueError("claim scorer file: 'features' must map n-grams to [idf, weight]")
    return ClaimScorer(
        version=str(payload["version"]),
        threshold=float(str(payload["threshold"])),
        intercept=float(str(payload["intercept"])),
        idf={g: float(v[0]) for g, v in features.items()},
        coef={g: float(v[1]) for g, v in features.items()},
    )


@lru_cache(maxsize=2)
def load_scorer(path: Path = SCORER_FILE) -> ClaimScorer | None:
    """The shipped scorer, or None when the file is absent (the pattern rules still run)."""
    if not path.is_file():
        return None
    return scorer_from_json(json.loads(path.read_text(encoding="utf-8")))
