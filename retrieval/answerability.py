"""Does the knowledge base answer this question at all? When it does not, the agent says so
instead of answering from the model's memory.

Embedding similarity alone cannot tell (multilingual-e5 scores an unrelated finance question
about as high as a related one: 0.86-0.91 for both on the evaluation set), and whether a word
occurs anywhere in the corpus cannot either: "黄金ETF的管理费" uses only words the corpus has. So
the gate asks whether the passages actually retrieved for the question talk about what it names:

- a six-digit code that no document carries declines outright;
- otherwise a logistic regression over a few cheap features (``features``) decides: how much of
  the question's IDF-weighted words the top passages contain, the IDF of the nouns they miss and
  how many of those the corpus has never seen, the query's best dense similarity
  (``query_similarity``), and the language.

The weights are data (``answerability.json``), trained by ``python -m evals.train_answerability``
with the threshold picked by cross-validation. Similarity is calibrated per embedder: the file
holds one model for the embedder it was trained with and a lexical model (no similarity) for any
other embedder, such as the hashing fake in unit tests.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import jieba
import jieba.posseg as pseg
from pydantic import BaseModel, Field

from retrieval.keyword import CODE
from retrieval.models import Hit

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[a-z]")
MODEL_FILE = Path(__file__).with_name("answerability.json")
LEXICAL = "lexical"
TOP_K = 3  # the agent drafts from three passages: what it would cite must name what is asked
# jieba tags of words that name things (nouns, idioms, abbreviations, English, unknown words);
# verbs, adverbs and pronouns are how a client phrases a question, not what it is about.
NAMING_TAGS = ("n", "eng", "l", "i", "j", "vn", "x")
_ENGLISH_FUNCTION_WORDS = (
    "a an the is are was were do does did i you we my your our it its of in on at to for from by with and or what which who "
    "whom how when where why can could should would will may much many any this that there their they me be been have has "
    "had not no if than then about as into per now please tell"
)
ENGLISH_STOP = frozenset(_ENGLISH_FUNCTION_WORDS.split(" "))
FEATURES = ("similarity", "english", "covered", "missing_nouns", "unseen_nouns", "unknown_code")


class CorpusTerms(Protocol):
    """What the gate needs to know of the corpus (``KeywordIndex`` provides it)."""

    def knows(self, term: str) -> bool: ...

    def idf(self, term: str) -> float: ...


class GateModel(BaseModel):
    """One logistic regression: standardised features, weights, and the decline threshold."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float = Field(description="decline when the probability of no answer reaches this")

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(
            w * (values[name] - m) / s for name, m, s, w in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


class GateWeights(BaseModel):
    """The shipped file: a model per embedder name, plus ``lexical`` for any other embedder."""

    version: str
    top_k: int = TOP_K
    models: dict[str, GateModel]
    training: dict[str, object] = Field(default_factory=dict)

    def for_embedder(self, name: str | None) -> GateModel:
        return self.models.get(name or LEXICAL) or self.models[LEXICAL]


@cache
def load_weights(path: Path = MODEL_FILE) -> GateWeights:
    return GateWeights.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _words(question: str) -> list[tuple[str, str]]:
    """Distinct words of the question with their jieba tags; single characters and English
    function words left out, six-digit codes tagged ``code``, Latin words (ETF, C3) ``eng``."""
    out: dict[str, str] = {}
    for word, flag in pseg.cut(question.lower()):
        word = word.strip()
        if CODE.fullmatch(word):
            out.setdefault(word, "code")
        elif HAN.search(word):
            if len(word) >= 2:
                out.setdefault(word, flag)
        elif word.isalnum() and LATIN.search(word) and len(word) >= 2 and word not in ENGLISH_STOP:
            out.setdefault(word, "eng")
    return list(out.items())


def _covered(word: str, text: str) -> bool:
    """In the passages, as a whole or (a compound like 房贷利率) as all its parts."""
    if word in text:
        return True
    if len(word) >= 3 and HAN.search(word):
        parts = [p for p in jieba.cut_for_search(word) if len(p) >= 2 and p != word]
        return bool(parts) and all(p in text for p in parts)
    return False


def passages_text(hits: Sequence[Hit], top_k: int = TOP_K) -> str:
    """The top passages as the gate reads them: title, section, text and the codes they cover."""
    return "\n".join(
        f"{h.chunk.embedding_text()} {' '.join(h.chunk.meta.products + h.chunk.meta.securities)}".lower() for h in hits[:top_k]
    )


def query_similarity(hits: Sequence[Hit]) -> float:
    """The gate's similarity: how close the nearest passage comes to the question, i.e. the dense
    search's best similarity, which ``Retriever.search`` gives every hit. Not the best similarity
    among the fused hits: a top hit found by the keyword or entity lane alone has none, and the
    feature would fall to 0.0 for a question the knowledge base answers. 0.0 without hits."""
    return max((h.best_similarity for h in hits if h.best_similarity is not None), default=0.0)


def features(question: str, hits: Sequence[Hit], terms: CorpusTerms, top_k: int = TOP_K) -> tuple[dict[str, float], list[str]]:
    """The gate's features for ``question`` and its ranked ``hits``, and the naming words (and
    codes) that the top passages do not contain."""
    text = passages_text(hits, top_k)
    words = _words(question)
    weights = [terms.idf(w) for w, _ in words]
    seen = [_covered(w, text) for w, _ in words]
    missing = [(w, flag, x) for (w, flag), x, c in zip(words, weights, seen, strict=True) if not c]
    nouns = [(w, x) for w, flag, x in missing if flag.startswith(NAMING_TAGS)]
    codes = [w for w, flag, _ in missing if flag == "code"]
    latin = sum(ch.isascii() and ch.isalpha() for ch in question)
    values = {
        "similarity": query_similarity(hits),
        "english": float(latin > 2 * len(HAN.findall(question))),
        "covered": sum(x for x, c in zip(weights, seen, strict=True) if c) / sum(weights) if weights else 1.0,
        "missing_nouns": sum(x for _, x in nouns),
        "unseen_nouns": float(sum(not terms.knows(w) for w, _ in nouns)),
        "unknown_code": float(any(not terms.knows(c) for c in codes)),
    }
    return values, codes + [w for w, _ in nouns]


def is_answerable(
    question: str, hits: Sequence[Hit], terms: CorpusTerms, embedder: str | None = None, weights: GateWeights | None = None
) -> tuple[bool, list[str]]:
    """False, with the words that decided it, when the knowledge base holds no answer.

    ``embedder`` names the embedder that scored the hits: its similarities are only
    comparable with those the model was trained on, so another embedder gets the lexical model."""
    weights = weights or load_weights()
    values, missing = features(question, hits, terms, weights.top_k)
    unknown_codes = [w for w in missing if CODE.fullmatch(w) and not terms.knows(w)]
    if unknown_codes:  # a product or security the knowledge base has never heard of
        return False, unknown_codes
    model = weights.for_embedder(embedder)
    if model.probability(values) >= model.threshold:
        return False, missing
    return True, []
