"""Build ``guardrails/policy/recommendation_scorer.json``: ``python -m evals.train_recommendation_scorer``.

Trains the above-class backstop (see ``guardrails.recommendation_scorer``) on the team's labelled
replies: the files in ``SOURCES`` (the labelled set, the team's own replies and the training sets'
claim and recommendation files; never a blind set nor ``guardrail_dev5``). One example per window
(a sentence naming listed products and the sentences after it that name none, see
``guardrails.recommendation_scorer.windows``) and product its first sentence names, masked for that
product, labelled by the product's ``recommended`` flag; every product counts, within the client's
class or not, since recommending wording does not depend on the risk level.

The threshold is picked by 5-fold cross-validation grouped by reply, as the rule runs: a reply is
flagged by the backstop when the cue rules found nothing and one of its windows scores at least
the threshold for a product above the client's class. The threshold is the lowest on the grid
whose clean-reply false-positive rate stays within ``MAX_CLEAN_FPR``. The file records the
cross-validated recall, precision and clean-reply false-positive rate of the cues alone and of
cues plus backstop. Deterministic: fixed folds, lbfgs, no sampling.

The same command builds ``guardrails/policy/recommendation_scorer_semantic.json``, over the
n-grams plus each masked window's int8 e5 vector, with the claim backstops' ``SEMANTIC_C`` and
``ALPHA`` (``--lexical-only`` skips it).
"""

from __future__ import annotations

import argparse
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.guardrail import Case, _suitability, load_catalog

# The same features, regularisation, folds and threshold grid as the claim backstops.
from evals.train_claim_scorer import ALPHA, FOLDS, NGRAMS, THRESHOLDS, Embed, _matrix, _vectorizer, embedding_of, regularisation
from guardrails.claim_scorer import SentenceEncoder
from guardrails.policy import load_policy
from guardrails.recommendation import find_above_class_recommendation, named_products
from guardrails.recommendation_scorer import SCORER_FILE, SEMANTIC_FILE, masked, windows
from guardrails.scope import sentences

VERSION = "2026-11-23.12"  # the date of the data and settings this file was trained with, and the session

DATA = Path(__file__).parent / "data"
SOURCES = (
    DATA / "guardrail" / "replies.jsonl",
    DATA / "guardrail_own" / "replies.jsonl",
    DATA / "guardrail_train" / "replies.jsonl",
    DATA / "guardrail_train" / "recommendations.jsonl",
    DATA / "guardrail_train2" / "claims.jsonl",
    DATA / "guardrail_train3" / "recommendations.jsonl",
    DATA / "guardrail_train4" / "claims.jsonl",
    DATA / "guardrail_train8" / "recommendations.jsonl",
    DATA / "guardrail_train11" / "recommendations.jsonl",
    DATA / "guardrail_train13" / "recommendations.jsonl",
    DATA / "guardrail_train15" / "recommendations.jsonl",
    DATA / "guardrail_train17" / "recommendations.jsonl",
    DATA / "guardrail_train18" / "recommendations.jsonl",
)
# guardrail_train11 is a source again (session 9). Under session 8's budget (0.5%) its close clean
# replies raised the threshold from 0.65 to 0.725, and the blind sets' suitability recall fell. Held
# out one source at a time (train8, train3, train's recommendations), the backstop trained with it
# flagged fewer clean replies at every threshold from 0.6 to 0.7 on all three, at equal or higher
# recall on two: the budget, not the data, cost the recall. The budget is now the promise
# backstop's, 0.8% (threshold 0.675); there, against session 8's backstop (0.65), held-out recall
# is 0.955 / 0.905 / 0.944 (was 0.955 / 0.913 / 0.924) and clean replies flagged 5.7% / 2.2% / 6.0%
# (was 7.0% / 3.1% / 7.6%). guardrail_train13 joined in session 10 (read first with the backstop
# of session 9: recall 0.885 on its pushes, 2.5% of its clean replies flagged); under the same
# budget the threshold fell to 0.65. Held out one source at a time (train8, train3, train11,
# train's recommendations; semantic), against session 9's data at 0.675: recall 0.955 / 0.925 /
# 0.948 / 0.979 (was 0.955 / 0.917 / 0.935 / 0.944), clean replies flagged 4.8% / 3.8% / 4.5% /
# 8.2% (was 5.7% / 2.5% / 5.9% / 6.0%).
# guardrail_train15 and guardrail_train17 joined in session 11 (read first with session 10's
# backstop: recall 0.96 and 0.84, 12.7% and 8.5% of their clean replies flagged). Their clean
# replies are the hardest yet (the same settings as the pushes, the mismatch often stated beside the
# product), so under the 0.8% budget the threshold rose to 0.725 (semantic), and held out one
# source at a time that lost recall on six of seven sources against session 10's backstop at 0.65.
# The budget is now 1.2%, which keeps 0.65. There, held out (semantic, the other new set trained
# on), against session 10's data: recall 0.865 / 0.973 / 0.959 / 0.921 / 0.965 / 0.915 / 0.979
# (was 0.840 / 0.960 / 0.955 / 0.925 / 0.948 / 0.900 / 0.979) on train17 / train15 / train8 /
# train3 / train11 / train13 / train's recommendations; clean replies flagged 7.5% / 12.7% / 5.2% /
# 4.7% / 5.5% / 2.0% / 8.2% (was 8.5% / 12.7% / 4.8% / 3.7% / 4.5% / 3.0% / 8.2%). Printed by
# `python -m evals.holdout_recommendation_scorer --without guardrail_train15 --without
# guardrail_train17` (until session 10, a throwaway script).
# Session 12: one example per window, not per sentence (see ``examples``). Held out one source at a
# time (semantic, session 11's sources, both at 0.65), windows against sentences: recall 0.960
# against 0.937 pooled over the seven recommendation files, clean replies flagged 5.1% against
# 6.1%; by source (train / train3 / train8 / train11 / train13 / train15 / train17) recall 1.000 /
# 0.983 / 0.941 / 0.978 / 0.930 / 0.993 / 0.905 (was 0.979 / 0.921 / 0.959 / 0.965 / 0.915 /
# 0.973 / 0.865), clean flagged 15.8% / 1.6% / 3.9% / 2.3% / 2.5% / 4.0% / 8.5% (was 8.2% / 4.7% /
# 5.2% / 5.5% / 2.0% / 12.7% / 7.5%): the early set's short factual replies with a trailing
# disclaimer are the cost. guardrail_train18 joined then (read first, held out, with windows at
# 0.55: recall 0.970, 2.0% of its clean replies flagged); under the same budget the threshold fell
# to 0.55. There, with and without it: recall 1.000 / 0.988 / 0.968 / 0.991 / 0.975 / 1.000 /
# 0.960 (without: 1.000 / 0.988 / 0.959 / 0.996 / 0.955 / 0.993 / 0.930), clean flagged 24.5% /
# 1.9% / 6.1% / 2.3% / 3.0% / 4.7% / 9.0% (without: 22.8% / 2.8% / 5.7% / 2.3% / 3.5% / 4.7% /
# 9.5%). Printed by `python -m evals.holdout_recommendation_scorer --without guardrail_train18`
# (the comparison with sentences by a throwaway script over ``examples`` before the change).
RULE = "suitability.above_class"
MAX_CLEAN_FPR = 0.012


@dataclass(frozen=True)
class Example:
    """One masked window, the reply it comes from, and whether its product is above class."""

    reply: int
    text: str
    recommended: bool
    above_class: bool


def _cases() -> list[Case]:
    return [Case.model_validate_json(line) for path in SOURCES for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def examples(cases: list[Case]) -> tuple[list[Example], np.ndarray]:
    """The masked windows of every reply, and whether the cue rules flag each reply."""
    policy, catalog = load_policy(), load_catalog()
    aliases = {code: p.aliases for code, p in catalog.items()}
    out, cues = [], []
    for index, case in enumerate(cases):
        results = _suitability(case, catalog)
        recommended = {p.code: p.recommended for p in case.products}
        unsuitable = [r for r in results if not r.is_suitable]
        suitable = [r for r in results if r.is_suitable]
        products = named_products(results, aliases)
        above = {p.code for p in named_products(unsuitable, aliases)}
        for window in windows(sentences(case.text), products):
            for product in window.products:
                out.append(Example(index, masked(window.text, product, products), recommended[product.code], product.code in above))
        cues.append(bool(unsuitable) and find_above_class_recommendation(case.text, unsuitable, policy, aliases, suitable) is not None)
    return out, np.array(cues)


def _fit(texts: list[str], labels: np.ndarray, embed: Embed | None = None) -> tuple[Any, Any]:
    from sklearn.linear_model import LogisticRegression

    vectorizer = _vectorizer(texts)
    model = LogisticRegression(C=regularisation(embed), max_iter=5000, class_weight="balanced").fit(
        _matrix(vectorizer, texts, embed), labels
    )
    return vectorizer, model


def fold_of(text: str, k: int = FOLDS) -> int:
    return zlib.crc32(text.encode()) % k


def out_of_fold(cases: list[Case], rows: list[Example], embed: Embed | None = None) -> np.ndarray:
    """Each example's probability from the model trained on the other folds (grouped by reply)."""
    fold = np.array([fold_of(cases[e.reply].text) for e in rows])
    texts, labels = [e.text for e in rows], np.array([e.recommended for e in rows])
    proba = np.zeros(len(rows))
    for i in range(FOLDS):
        train = fold != i
        vectorizer, model = _fit([t for t, m in zip(texts, train, strict=True) if m], labels[train], embed)
        held = np.flatnonzero(~train)
        proba[held] = model.predict_proba(_matrix(vectorizer, [texts[j] for j in held], embed))[:, 1]
    return proba


def reply_scores(n: int, rows: list[Example], proba: np.ndarray) -> np.ndarray:
    """Per reply, the highest score of a window for an above-class product (0 when none)."""
    best = np.zeros(n)
    for example, p in zip(rows, proba, strict=True):
        if example.above_class:
            best[example.reply] = max(best[example.reply], p)
    return best


def _rates(flagged: np.ndarray, positive: np.ndarray, clean: np.ndarray) -> dict[str, float | int]:
    hits = int(flagged.sum())
    return {
        "recall": float(flagged[positive].mean()),
        "precision": float((flagged & positive).sum() / hits) if hits else 0.0,
        "clean_fpr": float(flagged[clean].mean()),
        "flagged_clean": int(flagged[clean].sum()),
    }


def figures(best: np.ndarray, cues: np.ndarray, positive: np.ndarray, clean: np.ndarray, hard: np.ndarray) -> dict[str, Any]:
    """The threshold under the clean-FPR budget, and the cross-validated figures there."""
    grid = {}
    for th in THRESHOLDS:
        backstop = ~cues & (best >= th)
        grid[str(th)] = {"recall": float((cues | backstop)[positive].mean()), "clean_fpr": float(backstop[clean].mean())}
    threshold = next((th for th in THRESHOLDS if grid[str(th)]["clean_fpr"] <= MAX_CLEAN_FPR), THRESHOLDS[-1])
    backstop = ~cues & (best >= threshold)
    return {
        "threshold": threshold,
        "max_clean_fpr": MAX_CLEAN_FPR,
        "positives": int(positive.sum()),
        "clean": int(clean.sum()),
        "clean_naming_above_class": int(hard.sum()),
        "cues_only": _rates(cues, positive, clean),
        "cues_and_backstop_cv5": _rates(cues | backstop, positive, clean),
        "backstop_alone_cv5": _rates(backstop, positive, clean),
        "clean_naming_above_class_fpr": {
            "cues_only": float(cues[hard].mean()),
            "cues_and_backstop_cv5": float((cues | backstop)[hard].mean()),
        },
        "cv5": grid,
    }


def train(out: Path = SCORER_FILE, encoder: SentenceEncoder | None = None) -> dict[str, Any]:
    """Fit the backstop on every source and write ``out``; with ``encoder``, the semantic one."""
    embed = embedding_of(encoder) if encoder is not None else None
    cases = _cases()
    rows, cues = examples(cases)
    positive = np.array([RULE in c.labels for c in cases])
    clean = np.array([not c.labels for c in cases])
    named_above = np.zeros(len(cases), dtype=bool)
    named_above[[e.reply for e in rows if e.above_class]] = True
    best = reply_scores(len(cases), rows, out_of_fold(cases, rows, embed))
    cv = figures(best, cues, positive, clean, clean & named_above)
    vectorizer, model = _fit([e.text for e in rows], np.array([e.recommended for e in rows]), embed)
    weights = model.coef_[0]
    vocabulary = len(vectorizer.vocabulary_)
    semantic: dict[str, Any] = {"embedder": encoder.name, "alpha": ALPHA} if encoder is not None else {}
    embedding = {"embedding": [round(float(w), 5) for w in weights[vocabulary:]]} if encoder is not None else {}
    features = {g: [round(float(vectorizer.idf_[i]), 5), round(float(weights[i]), 5)] for g, i in sorted(vectorizer.vocabulary_.items())}
    payload = {
        "version": f"{VERSION}-c{regularisation(embed)}-n{NGRAMS[0]}{NGRAMS[1]}" + ("-e5" if encoder else ""),
        **semantic,
        "ngrams": list(NGRAMS),
        "training": {
            "sources": [str(p.relative_to(DATA.parent.parent)) for p in SOURCES],
            "replies": len(cases),
            "windows": len(rows),
            "recommending_windows": sum(e.recommended for e in rows),
            "folds": FOLDS,
        },
        "model": {"rule": RULE, "intercept": round(float(model.intercept_[0]), 6), **embedding, **cv},
        "features": features,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return payload


def summary(payload: dict[str, Any]) -> dict[str, Any]:
    """The figures without the weights and the threshold grid (what the command prints)."""
    model = {k: v for k, v in payload["model"].items() if k not in ("cv5", "embedding")}
    return {"version": payload["version"], "training": payload["training"], "model": model, "features": len(payload["features"])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the above-class backstop (n-gram, then semantic).")
    parser.add_argument("--lexical-only", action="store_true", help="skip the semantic backstop (no embedder needed)")
    args = parser.parse_args(argv)
    print(json.dumps(summary(train()), ensure_ascii=False, indent=2))
    if not args.lexical_only:
        from core.settings import get_settings
        from retrieval.embeddings import build_embedder

        encoder = build_embedder(get_settings().models_dir)  # the int8 ONNX graph the server runs
        print(json.dumps(summary(train(SEMANTIC_FILE, encoder)), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
