"""How the claim judge's band was chosen: ``python -m evals.tune_claim_judge --held guardrail_train4``.

Leave one training source out: the promise backstop is trained on the other sources (exactly as
``evals.train_claim_scorer`` trains it), the held-out source's replies are scored sentence by
sentence, the judge (the embedded model, ``agent.llm.claim_judge``) reads every sentence scored
from the lowest ``consult_from`` of the grid up, and each setting of the band is scored on those
replies: recall of promised returns (patterns, backstop and judge together) and the share of
clean replies flagged, beside the backstop alone. Never run on a blind set. Slow: about a second a
sentence the judge reads with the 1.5B model on 2 cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np

from evals.train_claim_scorer import SOURCES, _fit, _sentences
from guardrails.claim_judge import ClaimJudge, JudgeBand, review
from guardrails.claim_scorer import load_scorer
from guardrails.claims import find_claims
from guardrails.policy import load_policy

RULE = "claims.guaranteed_return"
CONSULT_FROM = (0.3, 0.4, 0.5)
FLAG_AT = (0.75, 0.8, 0.85)
WITHDRAW_UNDER = (0.0, 0.2, 0.3, 0.4)


def read_held_out(held: Path, judge: ClaimJudge) -> list[dict[str, Any]]:
    """Each held-out reply: its labels, whether a pattern fired, and per sentence the backstop's
    score (trained without ``held``) and the judge's probability (None below the band)."""
    policy = load_policy()
    train = [r for path in SOURCES if path != held for r in _rows_of(path)]
    vectorizer, (model,) = _fit([r["text"] for r in train], np.array([[RULE in r["labels"]] for r in train]))
    lowest = min(CONSULT_FROM)
    out = []
    for row in _rows_of(held):
        sentences = _sentences(row["text"])
        scores = model.predict_proba(vectorizer.transform(sentences))[:, 1] if sentences else []
        out.append(
            {
                "labels": row["labels"],
                "pattern": any(h.rule_id == RULE for h in find_claims(row["text"], policy)),
                "sentences": [
                    {"score": float(s), "judge": judge.promise_probability(t) if s >= lowest else None}
                    for t, s in zip(sentences, scores, strict=True)
                ],
            }
        )
    return out


def _rows_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class _Recorded:
    """The probabilities already read, served back for each setting of the band."""

    name = "recorded"

    def __init__(self, probability: float | None) -> None:
        self.probability = probability

    def promise_probability(self, sentence: str) -> float:
        if self.probability is None:
            raise LookupError("not read")
        return self.probability


def grid(replies: list[dict[str, Any]], threshold: float) -> list[dict[str, Any]]:
    """Recall and clean FPR of every band setting, and of the backstop alone (``band`` None), at
    the shipped backstop threshold."""
    positive = np.array([RULE in r["labels"] for r in replies])
    clean = np.array([not r["labels"] for r in replies])
    pattern = np.array([r["pattern"] for r in replies])
    combinations = itertools.product(CONSULT_FROM, FLAG_AT, WITHDRAW_UNDER)
    settings: list[JudgeBand | None] = [None]
    settings += [JudgeBand(rule=RULE, model="", consult_from=c, flag_at=f, withdraw_under=w) for c, f, w in combinations]
    rows = []
    for band in settings:
        flagged, read = [], 0
        for reply in replies:
            hit = False
            for s in reply["sentences"]:
                if band is None:
                    hit |= s["score"] >= threshold
                    continue
                read += s["score"] >= band.consult_from
                hit |= review("", s["score"], threshold, band, _Recorded(s["judge"])).flagged
            flagged.append(hit)
        f = np.array(flagged) | pattern
        rows.append(
            {
                "band": band.model_dump(exclude={"rule", "model"}) if band else None,
                "recall": round(float(f[positive].mean()), 3),
                "clean_fpr": round(float(f[clean].mean()), 3),
                "sentences_read": read,
            }
        )
    return rows


def main() -> None:
    from agent.llm.factory import build_claim_judge
    from core.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held", required=True, help="a training source's folder name, e.g. guardrail_train4")
    parser.add_argument("--json", type=Path, help="write the per-reply readings here too")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="the local model to try as the judge")
    args = parser.parse_args()
    held = next((p for p in SOURCES if p.parent.name == args.held), None)
    if held is None:
        parser.error(f"--held must be one of {[p.parent.name for p in SOURCES]}")
    scorer = load_scorer()
    assert scorer is not None, "the claim scorer file is missing"
    replies = read_held_out(held, build_claim_judge(get_settings(), args.model))
    if args.json:
        args.json.write_text(json.dumps(replies, ensure_ascii=False), encoding="utf-8")
    for row in grid(replies, scorer.models[RULE].threshold):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
