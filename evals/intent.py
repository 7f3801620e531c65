"""Intent evaluation on the labelled set in ``evals/data/intent``: accuracy and per-intent F1.

Three figures:

- ``rules+embedding``: the classifier the turn acts on, fitted on its own seed examples
  (``agent/intent/seed.jsonl``) and scored on the held-out set (never trained on it);
- ``cv5``: the same classifier fitted on the seed examples plus four fifths of the set and scored
  on the fifth left out, over five stratified folds;
- ``model_1.5b``: the embedded chat model with ``prompts/intent.md`` (slow; ``with_model``).
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from agent.intent import INTENT_TO_EVAL, IntentClassifier, load_examples
from agent.intent.classifier import Example
from agent.intent.labels import EVAL_TO_INTENT
from agent.intent.model import ModelIntentClassifier
from core.settings import Settings
from evals.metrics import percentile
from guardrails.input_rails import screen_input
from retrieval.embeddings import Embedder

DATA = Path(__file__).parent / "data" / "intent" / "messages.jsonl"
EVAL_LABELS = tuple(INTENT_TO_EVAL.values())


class LabelledMessage(BaseModel):
    id: str
    text: str
    intent: str
    entities: list[str] = []
    note: str = ""


def load_messages(path: Path = DATA) -> list[LabelledMessage]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [LabelledMessage.model_validate_json(line) for line in lines if line.strip()]


def score(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, per-label F1 (every label of the set, 0 when never predicted right) and macro F1."""
    f1: dict[str, float] = {}
    for label in EVAL_LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1[label] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0
    return {"accuracy": round(accuracy, 4), "macro_f1": round(sum(f1.values()) / len(f1), 4), "per_intent_f1": f1, "n": len(gold)}


class CachedEmbedder:
    """Embeds each distinct text once; cross-validation refits on the same texts five times."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            self._cache.update(zip(missing, self._inner.embed_passages(missing), strict=True))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)


def _predict_all(predict: Callable[[str], str], rows: Sequence[LabelledMessage]) -> tuple[list[str], list[float]]:
    labels, millis = [], []
    for row in rows:
        started = time.perf_counter()
        labels.append(INTENT_TO_EVAL[predict(row.text)])  # type: ignore[index]
        millis.append((time.perf_counter() - started) * 1000)
    return labels, millis


def _evaluate(predict: Callable[[str], str], rows: Sequence[LabelledMessage]) -> dict[str, Any]:
    predicted, millis = _predict_all(predict, rows)
    result = score([r.intent for r in rows], predicted)
    result["p95_ms"] = round(percentile(millis, 95), 2)
    result["errors"] = [{"id": r.id, "gold": r.intent, "predicted": p} for r, p in zip(rows, predicted, strict=True) if p != r.intent]
    return result


def evaluate_classifier(classifier: IntentClassifier, rows: Sequence[LabelledMessage]) -> dict[str, Any]:
    return _evaluate(lambda t: classifier.predict(t).label, rows)


def evaluate_turn(classifier: IntentClassifier, rows: Sequence[LabelledMessage]) -> dict[str, Any]:
    """The intent the turn acts on: a message the input rails refuse as out of scope is
    ``out_of_scope`` (the model never sees it); any other goes to ``classifier``."""

    def predict(text: str) -> str:
        screened = screen_input(text)
        if not screened.allowed and screened.category == "scope":
            return "out_of_scope"
        return classifier.predict(text).label

    return _evaluate(predict, rows)


def stratified_folds(rows: Sequence[LabelledMessage], k: int = 5, seed: int = 7) -> list[list[int]]:
    """Indices of ``k`` folds with every label spread evenly; shuffled with a fixed seed."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_label[row.intent].append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        members = by_label[label]
        rng.shuffle(members)
        for j, index in enumerate(members):
            folds[(j + offset) % k].append(index)
        offset += len(members)
    return folds


def cross_validate(embedder: Embedder, rows: Sequence[LabelledMessage], seed_examples: Sequence[Example], k: int = 5) -> dict[str, Any]:
    """Fit on the seed examples plus k-1 folds of the set, predict the fold left out."""
    predicted: dict[int, str] = {}
    for fold in stratified_folds(rows, k):
        held = set(fold)
        train = list(seed_examples) + [
            Example(id=r.id, text=r.text, intent=EVAL_TO_INTENT[r.intent]) for i, r in enumerate(rows) if i not in held
        ]
        classifier = IntentClassifier(embedder, examples=train)
        for i in fold:
            predicted[i] = INTENT_TO_EVAL[classifier.predict(rows[i].text).label]
    result = score([r.intent for r in rows], [predicted[i] for i in range(len(rows))])
    result["folds"] = k
    return result


def stratified_sample(rows: Sequence[LabelledMessage], n: int, seed: int = 7) -> list[LabelledMessage]:
    """At least ``n`` rows (one fold of len // n) with each label in proportion, in the set's order."""
    if n >= len(rows):
        return list(rows)
    folds = stratified_folds(rows, k=max(2, len(rows) // n), seed=seed)
    return [rows[i] for i in sorted(folds[0])]


def evaluate_model(settings: Settings, rows: Sequence[LabelledMessage]) -> dict[str, Any]:
    """The chat model the settings name, one message at a time."""
    from agent.llm.factory import build_chat_model

    model = build_chat_model(settings)
    classifier = ModelIntentClassifier(model, seed=settings.seed, timeout_s=300.0)
    started = time.perf_counter()
    predicted, millis = _predict_all(lambda t: classifier.predict(t).label, rows)
    result = score([r.intent for r in rows], predicted)
    result |= {
        "model": model.name,
        "prompt_version": classifier.prompt_version,
        "seconds": round(time.perf_counter() - started, 1),
        "p50_ms": round(percentile(millis, 50), 1),
        "p95_ms": round(percentile(millis, 95), 1),
        "sampled": len(rows) < len(load_messages()),
    }
    return result


def _print_table(report: dict[str, Any]) -> None:
    runs = report["intent"]["classifiers"]
    names = list(runs)
    print(f"{'intent':<22}" + "".join(f"{name:>18}" for name in names))
    for label in EVAL_LABELS:
        print(f"{label:<22}" + "".join(f"{runs[name]['per_intent_f1'][label]:>18.3f}" for name in names))
    for key in ("macro_f1", "accuracy", "n"):
        print(f"{key:<22}" + "".join(f"{runs[name][key]:>18}" for name in names))


def run_intent_eval(
    settings: Settings,
    *,
    with_model: bool,
    json_path: Path | None,
    data: Path = DATA,
    model_sample: int | None = None,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """Score every classifier, print a table, write the report to ``json_path`` if given.

    The top-level figures are those of the intent the turn acts on: the input rails' scope
    screen, then ``rules+embedding``.
    """
    from retrieval.embeddings import embedder_for

    rows = load_messages(data)
    cached = CachedEmbedder(embedder or embedder_for(settings))
    seed_examples = load_examples()
    fitted = IntentClassifier(cached, examples=seed_examples)
    main = evaluate_turn(fitted, rows)
    classifiers: dict[str, Any] = {
        "turn": main,
        "rules+embedding": evaluate_classifier(fitted, rows),
        "rules_only": evaluate_classifier(IntentClassifier(), rows),
    }
    classifiers["cv5"] = cross_validate(cached, rows, seed_examples)
    if with_model:
        sample = stratified_sample(rows, model_sample) if model_sample else rows
        classifiers["model_1.5b"] = evaluate_model(settings, sample)
    report = {
        "intent": {
            "accuracy": main["accuracy"],
            "per_intent_f1": main["per_intent_f1"],
            "n": main["n"],
            "classifier": "turn (input rails' scope screen, then rules+embedding)",
            "train_examples": len(seed_examples),
            "classifiers": classifiers,
        }
    }
    _print_table(report)
    if json_path is not None:
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report
