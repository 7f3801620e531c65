"""A learned backstop for rule suitability.above_class: wording the recommendation cues miss.

The cue rules (``guardrails.recommendation``) name the wording they saw; an active
recommendation phrased another way ("这只我会选它", "趁回调上车", "留意一下它的申购窗口") slips
through. The structure stays deterministic: the backstop only reads a reply that names a product
above the client's class (from the turn's suitability results, by name, alias or code) and in
which the cues found nothing. It then scores each window that opens with a sentence naming such a
product: that sentence and the sentences after it that name no product ("…就它了，收盘前下单即可",
"它是R4，您是C2，这只我不能办"), up to the next sentence naming one or the end of the reply
(:func:`windows`). The window is read with that product's names replaced by PRODUCT and every
other product's names by OTHER, so the model reads the recommending wording and which product it
points at, never a product's name. Held out one training source at a time, windows caught more
pushes than single sentences and flagged fewer clean replies at every threshold (session 12); a
push made by pronoun after the naming sentence is read, and so is a decline that follows it. The
stream holds a window back until it is complete (``agent.reply_gate``), so a streamed reply is
judged on the same windows as a whole one. Features and
arithmetic are the claim backstops' (character n-gram TF-IDF, logistic regression; see
``guardrails.claim_scorer``); the weights are data (``policy/recommendation_scorer.json``), built
by ``python -m evals.train_recommendation_scorer``. Pure arithmetic at check time.

As with the claim backstops, a semantic variant (``policy/recommendation_scorer_semantic.json``)
also reads the masked window's vector from the retrieval embedder it was trained with, and is
used when the caller passes that embedder (:func:`recommendation_scorer_for`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from guardrails.claim_scorer import Scored, SentenceEncoder, logistic, semantic_or_lexical, tfidf
from guardrails.models import SuitabilityResult
from guardrails.recommendation import PRODUCT, NamedProduct, named_products
from guardrails.scope import sentences

SCORER_FILE = Path(__file__).parent / "policy" / "recommendation_scorer.json"
SEMANTIC_FILE = Path(__file__).parent / "policy" / "recommendation_scorer_semantic.json"
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
class Window:
    """A sentence naming products, with the sentences after it that name none: what the backstop
    reads for each product its first sentence names."""

    text: str
    products: tuple[NamedProduct, ...]


def windows(parts: list[str], products: list[NamedProduct]) -> list[Window]:
    """``parts`` (a reply's sentences, in order) grouped into windows: each sentence that names one
    of ``products`` opens one, which runs to the next such sentence or the end; sentences before
    the first product is named belong to none."""
    out: list[Window] = []
    opened: tuple[list[str], tuple[NamedProduct, ...]] | None = None
    for part in parts:
        named = tuple(p for p in products if p.named_in(part))
        if named:
            if opened:
                out.append(Window("".join(opened[0]), opened[1]))
            opened = ([part], named)
        elif opened:
            opened[0].append(part)
    if opened:
        out.append(Window("".join(opened[0]), opened[1]))
    return out


@dataclass(frozen=True)
class Flag:
    """A window the backstop reads as recommending an above-class product (``sentence``: the
    window's text)."""

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
    embedder: str | None = None
    """The embedder whose vectors of the masked window the model also reads (None: n-grams only)."""
    embedding: tuple[float, ...] = ()
    alpha: float = 1.0

    def score(self, text: str, encoder: SentenceEncoder | None = None) -> Scored:
        """The probability that the masked window ``text`` actively recommends PRODUCT
        (``encoder``: the embedder a semantic scorer reads, required by one)."""
        dense = 0.0
        if self.embedding:
            if encoder is None or encoder.name != self.embedder:
                raise ValueError(f"recommendation scorer {self.version} needs the {self.embedder} embedder")
            vector = encoder.embed_query(text)
            dense = self.alpha * sum(float(x) * w for x, w in zip(vector, self.embedding, strict=True))
        return logistic(tfidf(text, self.idf, self.ngrams), self.coef, self.intercept, dense)

    def flag(
        self,
        text: str,
        unsuitable: list[SuitabilityResult],
        aliases: dict[str, list[str]] | None = None,
        suitable: list[SuitabilityResult] | None = None,
        encoder: SentenceEncoder | None = None,
    ) -> Flag | None:
        """The first window of ``text`` whose score for an unsuitable product its first sentence
        names reaches the threshold."""
        unsuitable_codes = {r.product_code for r in unsuitable}
        products = named_products(unsuitable, aliases or {}) + named_products(suitable or [], aliases or {})
        for window in windows(sentences(text), products):
            for target in (p for p in window.products if p.code in unsuitable_codes):
                scored = self.score(masked(window.text, target, products), encoder)
                if scored.probability >= self.threshold:
                    return Flag(window.text, target, scored)
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
    embedder, embedding = payload.get("embedder"), model.get("embedding", [])
    if (embedder is not None and not isinstance(embedder, str)) or not isinstance(embedding, list) or (embedder is None) != (not embedding):
        raise ValueError("recommendation scorer file: 'embedding' weights come exactly with the 'embedder' they read")
    return RecommendationScorer(
        version=str(payload["version"]),
        ngrams=(int(ngrams[0]), int(ngrams[1])),
        idf={g: float(v[0]) for g, v in features.items()},
        coef={g: float(v[1]) for g, v in features.items() if v[1]},
        intercept=float(model["intercept"]),
        threshold=float(model["threshold"]),
        embedder=embedder,
        embedding=tuple(float(w) for w in embedding),
        alpha=float(str(payload.get("alpha", 1.0))),
    )


@lru_cache(maxsize=4)
def load_recommendation_scorer(path: Path = SCORER_FILE) -> RecommendationScorer | None:
    """The shipped backstop, or None when the file is absent (the cue rules still run)."""
    if not path.is_file():
        return None
    return recommendation_scorer_from_json(json.loads(path.read_text(encoding="utf-8")))


def recommendation_scorer_for(
    encoder: SentenceEncoder | None, lexical: Path = SCORER_FILE, semantic: Path = SEMANTIC_FILE
) -> RecommendationScorer | None:
    """The semantic backstop when ``encoder`` is the embedder it was trained with, else the
    n-gram one (None when neither file is there)."""
    return semantic_or_lexical(encoder, lambda: load_recommendation_scorer(semantic), lambda: load_recommendation_scorer(lexical))
