"""Build ``guardrails/policy/claim_scorer.json``: ``python -m evals.train_claim_scorer``.

Trains the promised-return scorer (see ``guardrails.claim_scorer``) on the team's labelled
replies (``evals/data/guardrail`` and ``evals/data/guardrail_own``; never the blind set), picks
the decision threshold by 5-fold cross-validation (the lowest threshold whose false-positive
rate on clean replies stays within ``MAX_CLEAN_FPR``), and records the cross-validated figures
in the file. Deterministic: fixed folds, lbfgs, no sampling.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from guardrails.claim_scorer import SCORER_FILE, char_ngrams
from guardrails.output_rails import SENTENCE_END

DATA = Path(__file__).parent / "data"
SOURCES = (DATA / "guardrail" / "replies.jsonl", DATA / "guardrail_own" / "replies.jsonl")
LABEL = "claims.guaranteed_return"
MAX_CLEAN_FPR = 0.02
THRESHOLDS = [round(0.40 + 0.05 * i, 2) for i in range(11)]
C = 4.0


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for path in SOURCES for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _fit(texts: list[str], labels: np.ndarray) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=char_ngrams, min_df=2, sublinear_tf=True, norm="l2", smooth_idf=True)
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(matrix, labels)
    return vectorizer, model


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()] or [text]


def cross_validate(texts: list[str], labels: np.ndarray, clean: np.ndarray, k: int = 5) -> dict[str, dict[str, float]]:
    """Out-of-fold probabilities, scored at every candidate threshold. A reply's score is its
    highest sentence's, as the output rails apply the scorer sentence by sentence."""
    fold = np.array([zlib.crc32(t.encode()) % k for t in texts])
    proba = np.zeros(len(texts))
    for i in range(k):
        train, test = fold != i, fold == i
        vectorizer, model = _fit([t for t, m in zip(texts, train, strict=True) if m], labels[train])
        for j in np.flatnonzero(test):
            proba[j] = model.predict_proba(vectorizer.transform(_sentences(texts[j])))[:, 1].max()
    return {str(th): {"recall": float((proba[labels] >= th).mean()), "clean_fpr": float((proba[clean] >= th).mean())} for th in THRESHOLDS}


def train(out: Path = SCORER_FILE) -> dict[str, Any]:
    rows = _rows()
    texts = [r["text"] for r in rows]
    labels = np.array([LABEL in r["labels"] for r in rows])
    clean = np.array([not r["labels"] for r in rows])
    cv = cross_validate(texts, labels, clean)
    threshold = next((th for th in THRESHOLDS if cv[str(th)]["clean_fpr"] <= MAX_CLEAN_FPR), THRESHOLDS[-1])
    vectorizer, model = _fit(texts, labels)
    coef = model.coef_[0]
    features = {g: [round(float(vectorizer.idf_[i]), 5), round(float(coef[i]), 5)] for g, i in sorted(vectorizer.vocabulary_.items())}
    payload = {
        "version": f"{date.today().isoformat()}-c{C}",
        "threshold": threshold,
        "intercept": round(float(model.intercept_[0]), 6),
        "training": {
            "sources": [str(p.relative_to(DATA.parent.parent)) for p in SOURCES],
            "replies": len(rows),
            "positives": int(labels.sum()),
            "clean": int(clean.sum()),
            "max_clean_fpr": MAX_CLEAN_FPR,
            "cv5_at_threshold": cv[str(threshold)],
            "cv5": cv,
        },
        "features": features,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return payload


if __name__ == "__main__":
    result = train()
    print(json.dumps({k: v for k, v in result.items() if k != "features"}, ensure_ascii=False, indent=2))
