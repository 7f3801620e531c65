"""Learned backstops for the banned-claim rules: one character n-gram logistic regression per rule.

The pattern rules (``guardrails.claims``) name the claim they saw; paraphrases they have never
seen ("本金一分不会少", "底部已确认", "胜率极高", "把账户交给我") slip through. Each backstop reads a
sentence's lower-cased character n-grams (TF-IDF with sublinear term frequency, L2-normalised,
exactly as at training; the vocabulary and its IDF are shared by the rules) and gives the
probability that the sentence makes its rule's claim. The weights are data
(``policy/claim_scorer.json``), built by ``python -m evals.train_claim_scorer`` from the labelled
replies; a hit names its score and the n-grams that pushed it up. Pure arithmetic at check time:
no model, no I/O after loading.

A second set of backstops (``policy/claim_scorer_semantic.json``) also reads the sentence's
embedding from the retrieval embedder it was trained with (multilingual-e5-small, int8): the
n-grams catch wording, the embedding catches meaning in words the n-grams have not seen. It is
used when the caller passes that embedder (:func:`scorer_for`); otherwise the n-gram backstops
decide alone, so the rails still run without any model.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

SCORER_FILE = Path(__file__).parent / "policy" / "claim_scorer.json"
SEMANTIC_FILE = Path(__file__).parent / "policy" / "claim_scorer_semantic.json"
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


class SentenceEncoder(Protocol):
    """What the semantic backstops need of an embedder: its name (the file says which one it was
    trained with) and a sentence's L2-normalised vector (``retrieval.embeddings.Embedder`` fits)."""

    @property
    def name(self) -> str: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def logistic(vector: dict[str, float], coef: dict[str, float], intercept: float, dense: float = 0.0) -> Scored:
    """A logistic regression's probability for a sparse ``vector`` (plus ``dense``, the dense
    features' share of the logit), with the five n-grams that pushed it up most (the explanation
    a hit carries)."""
    parts = {g: w * coef[g] for g, w in vector.items() if g in coef}
    logit = intercept + dense + sum(parts.values())
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
    embedding: tuple[float, ...] = ()
    """Weights of the sentence embedding's dimensions (semantic backstops only)."""


@dataclass(frozen=True)
class ClaimScorer:
    version: str
    ngrams: tuple[int, int]
    idf: dict[str, float]
    models: dict[str, RuleModel]
    embedder: str | None = None
    """The embedder whose sentence vectors the models also read (None: n-grams only)."""
    alpha: float = 1.0
    """The scale the embedding was given beside the n-gram features at training."""

    def features(self, text: str) -> dict[str, float]:
        """The sentence's TF-IDF vector (sublinear term frequency, L2-normalised), sparse."""
        return tfidf(text, self.idf, self.ngrams)

    def score(
        self,
        text: str,
        rule: str = "claims.guaranteed_return",
        features: dict[str, float] | None = None,
        embedding: Sequence[float] | np.ndarray | None = None,
    ) -> Scored:
        """The probability that ``text`` makes ``rule``'s claim (``embedding``: the sentence's
        vector from :attr:`embedder`, required by a semantic scorer)."""
        model = self.models[rule]
        dense = 0.0
        if model.embedding:
            if embedding is None or len(embedding) != len(model.embedding):
                raise ValueError(f"scorer {self.version} needs the sentence's {len(model.embedding)}-dimensional {self.embedder} vector")
            dense = self.alpha * sum(float(x) * w for x, w in zip(embedding, model.embedding, strict=True))
        return logistic(self.features(text) if features is None else features, model.coef, model.intercept, dense)


def scorer_from_json(payload: dict[str, object]) -> ClaimScorer:
    """The scorer a ``claim_scorer.json`` payload describes; ``ValueError`` when it is malformed."""
    features, rules = payload.get("features"), payload.get("rules")
    if not isinstance(features, dict):
        raise ValueError("claim scorer file: 'features' must map n-grams to [idf, weight per rule]")
    if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("rule") in BACKSTOPS for r in rules):
        raise ValueError(f"claim scorer file: 'rules' must list models of {sorted(BACKSTOPS)}")
    embedder = payload.get("embedder")
    if embedder is not None and not isinstance(embedder, str):
        raise ValueError("claim scorer file: 'embedder' must name the embedder the models read")
    ngrams = payload.get("ngrams", list(NGRAMS))
    if not isinstance(ngrams, list) or len(ngrams) != 2:
        raise ValueError("claim scorer file: 'ngrams' must be [smallest, largest]")
    models = {}
    for column, spec in enumerate(rules, start=1):
        rule = str(spec["rule"])
        coef = {g: float(v[column]) for g, v in features.items() if v[column]}
        embedding = spec.get("embedding", [])
        if not isinstance(embedding, list) or (embedder is None) != (not embedding):
            raise ValueError("claim scorer file: a rule has 'embedding' weights exactly when the file names its 'embedder'")
        models[rule] = RuleModel(
            rule, BACKSTOPS[rule], float(spec["threshold"]), float(spec["intercept"]), coef, tuple(float(w) for w in embedding)
        )
    return ClaimScorer(
        version=str(payload["version"]),
        ngrams=(int(ngrams[0]), int(ngrams[1])),
        idf={g: float(v[0]) for g, v in features.items()},
        models=models,
        embedder=embedder,
        alpha=float(str(payload.get("alpha", 1.0))),
    )


@lru_cache(maxsize=4)
def load_scorer(path: Path = SCORER_FILE) -> ClaimScorer | None:
    """The shipped scorers, or None when the file is absent (the pattern rules still run)."""
    if not path.is_file():
        return None
    return scorer_from_json(json.loads(path.read_text(encoding="utf-8")))


class _ReadsEmbedder(Protocol):
    @property
    def embedder(self) -> str | None: ...


Model = TypeVar("Model", bound=_ReadsEmbedder)


def semantic_or_lexical(
    encoder: SentenceEncoder | None, semantic: Callable[[], Model | None], lexical: Callable[[], Model | None]
) -> Model | None:
    """The semantic model when ``encoder`` is the embedder it was trained with, else the n-gram
    one (each loaded only when it is the one read)."""
    if encoder is not None:
        reading = semantic()
        if reading is not None and reading.embedder == encoder.name:
            return reading
    return lexical()


def scorer_for(encoder: SentenceEncoder | None, lexical: Path = SCORER_FILE, semantic: Path = SEMANTIC_FILE) -> ClaimScorer | None:
    """The semantic backstops when ``encoder`` is the embedder they were trained with, else the
    n-gram ones (None when neither file is there)."""
    return semantic_or_lexical(encoder, lambda: load_scorer(semantic), lambda: load_scorer(lexical))
