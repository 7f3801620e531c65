"""The cheap, deterministic intent classifier the turn acts on: rules, then an embedding model.

Built once per process. With an embedder it fits a linear model on the seed examples in
``seed.jsonl`` (a few seconds for the embeddings, milliseconds for the fit); without one it is
rules only, which is what unit tests with fakes use.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from agent.intent import rules
from agent.intent.embedding import LinearIntentModel, features
from agent.intent.labels import INTENTS, Intent, IntentPrediction
from retrieval.embeddings import Embedder

SEED_PATH = Path(__file__).with_name("seed.jsonl")
RULE_CONFIDENCE = 0.95
HINT_CONFIDENCE = 0.6
DEFAULT_CONFIDENCE = 0.3


class Example(BaseModel):
    """One labelled training message."""

    id: str = ""
    text: str
    intent: Intent


def load_examples(path: Path = SEED_PATH) -> list[Example]:
    """Labelled messages, one JSON object a line (``{"id", "text", "intent"}``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Example.model_validate(json.loads(line)) for line in lines if line.strip()]


class IntentClassifier:
    """Rules decide what they can; the embedding model, nudged by the rules' hints, the rest.

    ``ngram_weight`` scales the character n-grams beside the embedding and ``hint_bonus`` is
    added to the probability of the label a hint rule leans to; they and ``l2`` were chosen by
    5-fold cross-validation on the seed examples with the int8 embedder (0.861 there), not on the
    evaluation set.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        examples: Sequence[Example] | None = None,
        ngram_weight: float = 0.5,
        hint_bonus: float = 0.05,
        l2: float = 3e-4,
    ) -> None:
        self._embedder = embedder
        self._ngram_weight = ngram_weight
        self._hint_bonus = hint_bonus
        self._model: LinearIntentModel | None = None
        if embedder is not None:
            train = list(examples) if examples is not None else load_examples()
            texts = [e.text for e in train]
            x = features(texts, self._embed(texts), ngram_weight)
            self._model = LinearIntentModel.fit(x, [e.intent for e in train], l2=l2)

    @property
    def uses_embedding(self) -> bool:
        return self._model is not None

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        assert self._embedder is not None
        # The same ("passage") encoding for training and prediction: it is the batched call, and a
        # classifier wants the message and its neighbours embedded alike.
        return self._embedder.embed_passages(list(texts))

    def predict(self, text: str) -> IntentPrediction:
        """The intent of one client message."""
        decided = rules.decide(text)
        if decided is not None:
            return IntentPrediction(label=decided.label, confidence=RULE_CONFIDENCE, source="rules", rule=decided.name)
        hinted = rules.hint(text)
        if self._model is None:
            if hinted is not None:
                return IntentPrediction(label=hinted.label, confidence=HINT_CONFIDENCE, source="rules", rule=hinted.name)
            return IntentPrediction(label="knowledge", confidence=DEFAULT_CONFIDENCE, source="default")
        proba = self._model.proba(features([text], self._embed([text]), self._ngram_weight))[0]
        scores = proba.copy()
        if hinted is not None:
            scores[INTENTS.index(hinted.label)] += self._hint_bonus
        best = int(np.argmax(scores))
        rule = hinted.name if hinted is not None and INTENTS[best] == hinted.label else None
        return IntentPrediction(label=INTENTS[best], confidence=round(float(proba[best]), 4), source="embedding", rule=rule)
