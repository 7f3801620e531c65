"""How the claim judge's bands were chosen: ``python -m evals.tune_claim_judge --rule RULE --held SET``.

For one claim rule, the replies of one set are scored sentence by sentence by the rule's backstop,
the judge (the embedded model, ``agent.llm.claim_judge``) reads every sentence scored from
``--read-from`` up with the rule's prompt, and each setting of the band is scored on those replies:
recall of the rule (patterns, backstop and judge together) and the share of clean replies the rule
flags, beside the backstop alone. ``SET`` is either a training source, left out of the backstop's
training (the backstop is refitted on the other sources, exactly as ``evals.train_claim_scorer``
fits it), or the development set ``guardrail_dev5``, which the shipped backstops never saw. Never
run on a blind set. ``--semantic`` tunes for the semantic backstops (n-grams plus the int8 e5
sentence vectors), which serve when the embedder is loaded. ``--surer`` adds, to each band that
flags, a lower bar for the sentences the backstop scores from ``surer_from`` up. Slow: about a
second a sentence the judge reads with the 1.5B model on 2 cores; ``--json`` keeps the readings,
``--readings`` scores the grid on them again without the model.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from evals.train_claim_scorer import DATA, RULES, SOURCES, _fit, _matrix, _sentences, embedding_of
from guardrails.claim_judge import JudgeBand, review
from guardrails.claim_scorer import SentenceEncoder, scorer_for
from guardrails.claims import find_claims
from guardrails.policy import load_policy

DEV_SET = DATA / "guardrail_dev5" / "replies.jsonl"
CONSULT_FROM = (0.1, 0.2, 0.3, 0.4, 0.5)
FLAG_AT: tuple[float | None, ...] = (None, 0.7, 0.75, 0.8, 0.85)
WITHDRAW_UNDER = (0.0, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
SURER_FROM = (0.5, 0.6, 0.7)
SURER_FLAG_AT = (0.5, 0.6, 0.65)
Reader = Callable[[str], float]


def sets() -> dict[str, Path]:
    """The sets the bands may be tuned on, by folder name: the training sources and the dev set."""
    return {p.parent.name: p for p in (*SOURCES, DEV_SET)}


def backstop_for(rule: str, held: Path, encoder: SentenceEncoder | None = None) -> Callable[[list[str]], list[float]]:
    """The rule's backstop (semantic with ``encoder``) as it scores ``held``'s sentences: the
    shipped one for the dev set, else one refitted without ``held``."""
    if held == DEV_SET:
        scorer = scorer_for(encoder)
        assert scorer is not None, "the claim scorer file is missing"
        vector = (lambda s: encoder.embed_query(s)) if encoder is not None and scorer.embedder else (lambda s: None)
        return lambda sentences: [scorer.score(s, rule, embedding=vector(s)).probability for s in sentences]
    train = [r for path in SOURCES if path != held for r in _rows_of(path)]
    embed = embedding_of(encoder) if encoder is not None else None
    labels = np.array([[rule in r["labels"]] for r in train])
    vectorizer, (model,) = _fit([r["text"] for r in train], labels, embed=embed)
    return lambda sentences: [float(p) for p in model.predict_proba(_matrix(vectorizer, sentences, embed))[:, 1]] if sentences else []


def read(rule: str, held: Path, judge: Reader, read_from: float, encoder: SentenceEncoder | None = None) -> list[dict[str, Any]]:
    """Each of ``held``'s replies: its labels, whether the rule's patterns fired, and per sentence
    the backstop's score and the judge's probability (None below ``read_from``)."""
    policy = load_policy()
    backstop = backstop_for(rule, held, encoder)
    out = []
    for row in _rows_of(held):
        sentences = _sentences(row["text"])
        scores = backstop(sentences)
        out.append(
            {
                "labels": row["labels"],
                "pattern": any(h.rule_id == rule for h in find_claims(row["text"], policy)),
                "sentences": [{"score": s, "judge": judge(t) if s >= read_from else None} for t, s in zip(sentences, scores, strict=True)],
            }
        )
    return out


def _rows_of(path: Path) -> list[dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [r for r in rows if r.get("kind", "reply") == "reply"]


class _Recorded:
    """The probabilities already read, served back for each setting of the band."""

    name = "recorded"

    def __init__(self, probability: float | None) -> None:
        self.probability_read = probability

    def probability(self, rule: str, sentence: str) -> float:
        if self.probability_read is None:
            raise LookupError("not read")
        return self.probability_read


def _settings(rule: str, surer: bool) -> list[JudgeBand | None]:
    """The backstop alone (None), then every band on the grid; with ``surer``, each band that flags
    also with every lower bar where the backstop is surer (``surer_from``, ``surer_flag_at``)."""
    settings: list[JudgeBand | None] = [None]
    for c, f, w in itertools.product(CONSULT_FROM, FLAG_AT, WITHDRAW_UNDER):
        band = JudgeBand(rule=rule, prompt="", consult_from=c, flag_at=f, withdraw_under=w)
        settings.append(band)
        if surer and f is not None:
            steps = ((sf, sa) for sf, sa in itertools.product(SURER_FROM, SURER_FLAG_AT) if sa < f and sf >= c)
            settings += [band.model_copy(update={"surer_from": sf, "surer_flag_at": sa}) for sf, sa in steps]
    return settings


def _described(band: JudgeBand) -> dict[str, Any]:
    """A band's settings as the grid prints them (the surer step only where it has one)."""
    fields = band.model_dump(exclude={"rule", "prompt"})
    return {k: v for k, v in fields.items() if not (k.startswith(("surer_", "pattern_")) and v is None)}


def grid(rule: str, replies: list[dict[str, Any]], threshold: float, surer: bool = False) -> list[dict[str, Any]]:
    """Recall and clean FPR of the rule for every band setting, and for the backstop alone
    (``band`` None), at the shipped backstop threshold. A setting is scored only where the judge
    read every sentence it would be asked about."""
    positive = np.array([rule in r["labels"] for r in replies])
    clean = np.array([not r["labels"] for r in replies])
    pattern = np.array([r["pattern"] for r in replies])
    settings = _settings(rule, surer)
    rows = []
    for band in settings:
        flagged, read, unread = [], 0, False
        for reply in replies:
            hit = False
            for s in reply["sentences"]:
                asked = band is not None and band.consults(s["score"], threshold)
                read += asked
                unread |= asked and s["judge"] is None
                if not unread:
                    hit |= review("", s["score"], threshold, band, _Recorded(s["judge"])).flagged
            flagged.append(hit)
        if unread:
            continue
        f = np.array(flagged) | pattern
        rows.append(
            {
                "band": _described(band) if band else None,
                "recall": round(float(f[positive].mean()), 3) if positive.any() else None,
                "clean_fpr": round(float(f[clean].mean()), 4),
                "sentences_read": read,
            }
        )
    return rows


def main() -> None:
    from agent.llm.factory import build_claim_judge
    from core.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", default="claims.guaranteed_return", choices=RULES)
    parser.add_argument("--held", required=True, help=f"one of {sorted(sets())}")
    parser.add_argument("--prompt", help="the judge's prompt (prompts/<name>.md); default: the policy's for the rule")
    parser.add_argument("--read-from", type=float, default=min(CONSULT_FROM), help="the judge reads sentences scored from here up")
    parser.add_argument("--json", type=Path, help="write the per-reply readings here too")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="the local model to try as the judge")
    parser.add_argument("--semantic", action="store_true", help="the semantic backstops (n-grams plus the int8 e5 vectors)")
    parser.add_argument("--surer", action="store_true", help="also try a lower bar where the backstop is surer (surer_from, surer_flag_at)")
    parser.add_argument("--readings", type=Path, help="score the grid on readings written earlier with --json (the same set and backstop)")
    args = parser.parse_args()
    if args.held not in sets():
        parser.error(f"--held must be one of {sorted(sets())}")
    policy = load_policy().claim_judge
    band = policy.band(args.rule) if policy else None
    prompt = args.prompt or (band.prompt if band else None)
    if prompt is None:
        parser.error(f"the policy has no judge band for {args.rule}: name a --prompt")
    encoder = None
    if args.semantic:
        from retrieval.embeddings import build_embedder

        encoder = build_embedder(get_settings().models_dir)
    scorer = scorer_for(encoder)
    assert scorer is not None, "the claim scorer file is missing"
    if args.readings:
        replies = json.loads(args.readings.read_text(encoding="utf-8"))
    else:
        judge = build_claim_judge(get_settings(), args.model, {args.rule: prompt})
        replies = read(args.rule, sets()[args.held], lambda s: judge.probability(args.rule, s), args.read_from, encoder)
    if args.json:
        args.json.write_text(json.dumps(replies, ensure_ascii=False), encoding="utf-8")
    for row in grid(args.rule, replies, scorer.models[args.rule].threshold, args.surer):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
