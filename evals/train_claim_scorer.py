"""Build ``guardrails/policy/claim_scorer.json``: ``python -m evals.train_claim_scorer``.

Trains one backstop per banned-claim rule (see ``guardrails.claim_scorer``) on the team's
labelled replies (``evals/data/guardrail``, ``evals/data/guardrail_own`` and the training-only
``evals/data/guardrail_train``, ``_train2``, ``_train4``, ``_train6``, ``_train7``, ``_train9``,
``_train10`` and ``_train12``; never a blind set, nor the claim judge's development set
``guardrail_dev5``). Each rule's decision threshold is picked by
5-fold cross-validation: the lowest threshold whose false-positive rate on clean replies stays
within that rule's budget (``MAX_CLEAN_FPR``; the budgets add up to 2 %). A reply is scored by its
highest sentence, as the output rails apply the scorers sentence by sentence. The file records,
per rule, the cross-validated figures of the patterns alone and of patterns plus backstop.
Deterministic: fixed folds, lbfgs, no sampling.

The same command builds ``guardrails/policy/claim_scorer_semantic.json``: the same models over
the n-grams plus each sentence's int8 multilingual-e5-small vector (``SEMANTIC_C``, ``ALPHA``),
embedded one sentence at a time exactly as the rails embed it (``--lexical-only`` skips it).
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Callable, Sequence
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from guardrails.claim_scorer import BACKSTOPS, SCORER_FILE, SEMANTIC_FILE, SentenceEncoder, char_ngrams
from guardrails.claims import find_claims
from guardrails.output_rails import scored_sentences
from guardrails.policy import load_policy

DATA = Path(__file__).parent / "data"
SOURCES = (
    DATA / "guardrail" / "replies.jsonl",
    DATA / "guardrail_own" / "replies.jsonl",
    DATA / "guardrail_train" / "replies.jsonl",
    DATA / "guardrail_train2" / "claims.jsonl",
    DATA / "guardrail_train4" / "claims.jsonl",
    DATA / "guardrail_train6" / "claims.jsonl",
    DATA / "guardrail_train7" / "claims.jsonl",
    DATA / "guardrail_train9" / "claims.jsonl",
    DATA / "guardrail_train10" / "claims.jsonl",
    DATA / "guardrail_train12" / "claims.jsonl",
    DATA / "guardrail_train14" / "claims.jsonl",
    DATA / "guardrail_train16" / "claims.jsonl",
)
RULES = tuple(BACKSTOPS)
MAX_CLEAN_FPR = {
    "claims.guaranteed_return": 0.008,
    "claims.certainty": 0.004,
    "claims.exaggerated_performance": 0.004,
    "claims.trade_on_behalf": 0.004,
}
THRESHOLDS = [round(0.30 + 0.025 * i, 3) for i in range(27)]
C = 4.0
SEMANTIC_C = 8.0  # chosen with ALPHA on the cross-validated figures and guardrail_dev5 (see the README)
ALPHA = 1.0  # the embedding's scale beside the L2-normalised n-gram vector
NGRAMS = (1, 3)
MIN_DF = 2
FOLDS = 5
VERSION = "2026-11-23.11"  # the date of the data and settings this file was trained with, and the session


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for path in SOURCES for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _vectorizer(texts: Sequence[str], ngrams: tuple[int, int] = NGRAMS) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = partial(char_ngrams, ngrams=ngrams)
    return TfidfVectorizer(analyzer=analyzer, min_df=MIN_DF, sublinear_tf=True, norm="l2", smooth_idf=True).fit(texts)


Embed = Callable[[str], np.ndarray]
"""A sentence's embedding (semantic backstops), or None for n-grams only."""


def _matrix(vectorizer: Any, texts: Sequence[str], embed: Embed | None) -> Any:
    """The training features: the n-gram TF-IDF rows, then (semantic) ``ALPHA`` × the embedding."""
    from scipy.sparse import csr_matrix, hstack

    grams = vectorizer.transform(texts)
    if embed is None:
        return grams
    dense = np.array([embed(t) for t in texts], dtype=np.float64).reshape(len(texts), -1)
    return hstack([grams, csr_matrix(ALPHA * dense)]).tocsr()


def regularisation(embed: Embed | None) -> float:
    """The regression's C: ``SEMANTIC_C`` when the sentence vectors are read, else ``C``."""
    return SEMANTIC_C if embed is not None else C


def _regression(matrix: Any, labels: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(matrix, labels)


def _fit(
    texts: Sequence[str], labels: np.ndarray, ngrams: tuple[int, int] = NGRAMS, c: float | None = None, embed: Embed | None = None
) -> tuple[Any, list[Any]]:
    """A shared vectorizer and one logistic regression per column of ``labels`` (replies × rules).

    The rails score sentences, but the labels are per reply, so each rule is fitted twice: first
    on whole replies; then on whole replies plus sentences, where every sentence of a reply that
    does not make the rule's claim is a negative, and the first model's highest-scoring sentence
    of a multi-sentence reply that does make it is a positive (its other sentences are left out,
    as they may or may not make the claim). A promise buried in a long compliant reply is then
    learned from the sentence that makes it, and a compliant sentence from every clean reply.
    ``c`` defaults to ``regularisation(embed)``."""
    from scipy.sparse import vstack

    c = regularisation(embed) if c is None else c
    vectorizer = _vectorizer(texts, ngrams)
    matrix = _matrix(vectorizer, texts, embed)
    split = [_sentences(t) for t in texts]
    models = []
    for k in range(labels.shape[1]):
        first = _regression(matrix, labels[:, k], c)
        extra: list[str] = []
        extra_labels: list[bool] = []
        for sentences, positive in zip(split, labels[:, k], strict=True):
            if not positive:
                extra += sentences
                extra_labels += [False] * len(sentences)
            elif len(sentences) > 1:
                extra.append(sentences[int(first.predict_proba(_matrix(vectorizer, sentences, embed))[:, 1].argmax())])
                extra_labels.append(True)
        both = vstack([matrix, _matrix(vectorizer, extra, embed)]).tocsr()
        models.append(_regression(both, np.concatenate([labels[:, k], np.array(extra_labels, dtype=bool)]), c))
    return vectorizer, models


def _sentences(text: str) -> list[str]:
    """The sentences the rails score (questions that ask are skipped, so there may be none)."""
    return scored_sentences(text, load_policy())


def fold_of(text: str, k: int = FOLDS) -> int:
    return zlib.crc32(text.encode()) % k


def out_of_fold(
    texts: list[str], labels: np.ndarray, ngrams: tuple[int, int] = NGRAMS, c: float | None = None, embed: Embed | None = None
) -> np.ndarray:
    """Out-of-fold probabilities (replies × rules); a reply's is its highest sentence's."""
    fold = np.array([fold_of(t) for t in texts])
    proba = np.zeros(labels.shape)
    for i in range(FOLDS):
        train = fold != i
        vectorizer, models = _fit([t for t, m in zip(texts, train, strict=True) if m], labels[train], ngrams, c, embed)
        for j in np.flatnonzero(~train):
            sentences = _sentences(texts[j])
            if sentences:
                matrix = _matrix(vectorizer, sentences, embed)
                proba[j] = [model.predict_proba(matrix)[:, 1].max() for model in models]
    return proba


def _rates(flagged: np.ndarray, positive: np.ndarray, clean: np.ndarray) -> dict[str, float]:
    hits = int(flagged.sum())
    return {
        "recall": float(flagged[positive].mean()),
        "precision": float((flagged & positive).sum() / hits) if hits else 0.0,
        "clean_fpr": float(flagged[clean].mean()),
    }


def rule_figures(proba: np.ndarray, positive: np.ndarray, clean: np.ndarray, pattern: np.ndarray, budget: float) -> dict[str, Any]:
    """One rule's threshold under its clean-FPR budget and the cross-validated figures there."""
    grid = {
        str(th): {"recall": float((proba[positive] >= th).mean()), "clean_fpr": float((proba[clean] >= th).mean())} for th in THRESHOLDS
    }
    threshold = next((th for th in THRESHOLDS if grid[str(th)]["clean_fpr"] <= budget), THRESHOLDS[-1])
    flagged = proba >= threshold
    return {
        "threshold": threshold,
        "max_clean_fpr": budget,
        "positives": int(positive.sum()),
        "cv5_at_threshold": grid[str(threshold)],
        "patterns_only": _rates(pattern, positive, clean),
        "patterns_and_backstop_cv5": _rates(pattern | flagged, positive, clean),
        "cv5": grid,
    }


def embedding_of(encoder: SentenceEncoder) -> Embed:
    """``encoder``'s vector of a sentence, one sentence per call as the rails embed it (a batch
    would be padded and quantised differently), each sentence embedded once."""
    return cache(lambda text: np.asarray(encoder.embed_query(text), dtype=np.float64))


def train(
    out: Path = SCORER_FILE, ngrams: tuple[int, int] = NGRAMS, c: float | None = None, encoder: SentenceEncoder | None = None
) -> dict[str, Any]:
    """Fit the backstops on every source and write ``out``; with ``encoder``, the semantic ones
    (n-grams plus the encoder's sentence vectors)."""
    embed = embedding_of(encoder) if encoder is not None else None
    c = regularisation(embed) if c is None else c
    rows = _rows()
    texts = [r["text"] for r in rows]
    labels = np.array([[rule in r["labels"] for rule in RULES] for r in rows])
    clean = np.array([not r["labels"] for r in rows])
    policy = load_policy()
    fired = [{h.rule_id for h in find_claims(t, policy)} for t in texts]
    patterns = np.array([[rule in f for rule in RULES] for f in fired])
    proba = out_of_fold(texts, labels, ngrams, c, embed)
    figures = [rule_figures(proba[:, k], labels[:, k], clean, patterns[:, k], MAX_CLEAN_FPR[rule]) for k, rule in enumerate(RULES)]
    any_backstop = np.any(proba >= np.array([f["threshold"] for f in figures]), axis=1, keepdims=False).astype(bool)
    any_pattern = np.any(patterns, axis=1).astype(bool)
    vectorizer, models = _fit(texts, labels, ngrams, c, embed)
    features = {
        g: [round(float(vectorizer.idf_[i]), 5), *(round(float(m.coef_[0][i]), 5) for m in models)]
        for g, i in sorted(vectorizer.vocabulary_.items())
    }
    vocabulary = len(vectorizer.vocabulary_)
    semantic: dict[str, Any] = {"embedder": encoder.name, "alpha": ALPHA} if encoder is not None else {}
    payload = {
        "version": f"{VERSION}-c{c}-n{ngrams[0]}{ngrams[1]}" + ("-e5" if encoder is not None else ""),
        **semantic,
        "ngrams": list(ngrams),
        "training": {
            "sources": [str(p.relative_to(DATA.parent.parent)) for p in SOURCES],
            "replies": len(rows),
            "clean": int(clean.sum()),
            "folds": FOLDS,
            "clean_fpr_any_backstop_cv5": float(any_backstop[clean].mean()),
            "clean_fpr_any_claim_rule_cv5": float((any_backstop | any_pattern)[clean].mean()),
            "clean_fpr_any_claim_pattern": float(any_pattern[clean].mean()),
        },
        "rules": [
            {
                "rule": rule,
                "backstop": BACKSTOPS[rule],
                "intercept": round(float(m.intercept_[0]), 6),
                **({"embedding": [round(float(w), 5) for w in m.coef_[0][vocabulary:]]} if encoder is not None else {}),
                **f,
            }
            for rule, m, f in zip(RULES, models, figures, strict=True)
        ],
        "features": features,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return payload


def summary(payload: dict[str, Any]) -> dict[str, Any]:
    """The figures without the weights and the threshold grids (what the command prints)."""
    rules = [{k: v for k, v in r.items() if k not in ("cv5", "embedding")} for r in payload["rules"]]
    return {"version": payload["version"], "training": payload["training"], "rules": rules, "features": len(payload["features"])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the claim backstops (n-gram, then semantic).")
    parser.add_argument("--lexical-only", action="store_true", help="skip the semantic backstops (no embedder needed)")
    args = parser.parse_args(argv)
    print(json.dumps(summary(train()), ensure_ascii=False, indent=2))
    if not args.lexical_only:
        from core.settings import get_settings
        from retrieval.embeddings import build_embedder

        encoder = build_embedder(get_settings().models_dir)  # the int8 ONNX graph the server runs
        print(json.dumps(summary(train(SEMANTIC_FILE, encoder=encoder)), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
