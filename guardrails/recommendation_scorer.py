"""A learned backstop for rule suitability.above_class: wording the recommendation cues miss.

The cue rules (``guardrails.recommendation``) name the wording they saw; an active
recommendation phrased another way ("这只我会选它", "趁回调上车", "留意一下它的申购窗口") slips
through. The structure stays deterministic: the backstop only reads a reply that names a product
above the client's class (from the turn's suitability results, by name, alias or code) and in
which the cues found nothing. It then scores each sentence that names such a product, with that
product's names replaced by PRODUCT and every other product's names by OTHER, so the model reads
the recommending wording and which product it points at, never a product's name. Features and
arithmetic are the claim backstops' (character n-gram TF-IDF, logistic regression; see
``guardrails.claim_scorer``); the weights are data (``policy/recommendation_scorer.json``), built
by ``python -m evals.train_recommendation_scorer``. Pure arithmetic at check time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from guardrails.claim_scorer import Scored, logistic, tfidf
from guardrails.models import SuitabilityResult
from guardrails.recommendation import PRODUCT, NamedProduct, named_products
from guardrails.scope import sentences

SCORER_FILE = Path(__file__).parent / "policy" / "recommendation_scorer.json"
OTHER = "Ⓞ"
"""The mark for a product other than the one being scored."""


def masked(sentence: str, target: NamedProduct, products: list[NamedProduct]) -> str:
    """``sentence`` with ``target``'s names and code as PRODUCT and every other product's as OTHER
    (longest names first, so a short alias never splits a long name)."""
    marks = {name: (PRODUCT if p.code == target.code else OTHER) for p in products for name in (p.code, *p.names)}
    marks.update({name: PRODUCT for name in (target.code, *target.names)})
    if not marks:
        return sentence
    pattern = re.compile("|".join(re.escape(n) for n in sorted(marks, key=len, reverse=True)))
    return pattern.sub(lambda m: marks[m.group(0)], sentence)


@dataclass(frozen=True)
class Flag:
    """A sentence the backstop reads as recommending an above-class product."""

    sentence: str
    product: NamedProduct
    scored: Scored


@dataclass(frozen=True)
class RecommendationScorer:
    version: str
    ngrams: tuple[int, int]
    idf: dict[str, float]
    coef: dict[str, float]
    intercept: float
    threshold: float

    def score(self, text: str) -> Scored:
        """The probability that the masked sentence ``text`` actively recommends PRODUCT."""
        return logistic(tfidf(text, self.idf, self.ngrams), self.coef, self.intercept)

    def flag(
        self,
        text: str,
        unsuitable: list[SuitabilityResult],
        aliases: dict[str, list[str]] | None = None,
        suitable: list[SuitabilityResult] | None = None,
    ) -> Flag | None:
        """The first sentence of ``text`` whose score for an unsuitable product it names reaches
        the threshold."""
        targets = named_products(unsuitable, aliases or {})
        products = targets + named_products(suitable or [], aliases or {})
        for sentence in sentences(text):
            for target in (t for t in targets if t.named_in(sentence)):
                scored = self.score(masked(sentence, target, products))
                if scored.probability >= self.threshold:
                    return Flag(sentence, target, scored)
        return None


def recommendation_scorer_from_json(payload: dict[str, object]) -> RecommendationScorer:
    """The scorer a ``recommendation_scorer.json`` payload describes; ``ValueError`` when malformed."""
    features, model, ngrams = payload.get("features"), payload.get("model"), payload.get("ngrams")
    if not isinstance(features, dict) or not all(isinstance(v, list) and len(v) == 2 for v in features.values()):
        raise ValueError("recommendation scorer file: 'features' must map n-grams to [idf, weight]")
    if not isinstance(model, dict) or not {"intercept", "threshold"} <= set(model):
        raise ValueError("recommendation scorer file: 'model' must give 'intercept' and 'threshold'")
    if not isinstance(ngrams, list) or len(ngrams) != 2:
        raise ValueError("recommendation scorer file: 'ngrams' must be [smallest, largest]")
    return RecommendationScorer(
        version=str(payload["version"]),
        ngrams=(int(ngrams[0]), int(ngrams[1])),
        idf={g: float(v[0]) for g, v in features.items()},
        coef={g: float(v[1]) for g, v in features.items() if v[1]},
        intercept=float(model["intercept"]),
        threshold=float(model["threshold"]),
    )


@lru_cache(maxsize=2)
def load_recommendation_scorer(path: Path = SCORER_FILE) -> RecommendationScorer | None:
    """The shipped backstop, or None when the file is absent (the cue rules still run)."""
    if not path.is_file():
        return None
    return recommendation_scorer_from_json(json.loads(path.read_text(encoding="utf-8")))
