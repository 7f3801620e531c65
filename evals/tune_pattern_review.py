"""How the judge's review of a rule's patterns was chosen: ``python -m evals.tune_pattern_review --held SET``.

A pattern fires on a sentence; where the rule's backstop scores that sentence low, the judge reads
it and a low reading lets it through (``pattern_review_under``, ``pattern_withdraw_under`` in the
rule's ``claim_judge`` band, see ``guardrails.claim_judge.review_pattern``). For each reply of one
set that the rule's patterns flag, every sentence holding a match is scored by the backstop
(semantic: n-grams plus the int8 e5 vector) and, where it scores under the grid's highest
``pattern_review_under``, read by the judge. Each setting is scored by how many of the set's clean
replies and how many of its violations lose the rule's pattern hit, and how many of the
violations' sentences are let through. ``SET`` is a training source, left out of the backstop's
training as in ``evals.tune_claim_judge``, or ``guardrail_dev5``. Never run on a blind set.
``--json`` keeps the readings, ``--readings`` scores them again.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

from evals.tune_claim_judge import Reader, _Recorded, _rows_of, backstop_for, sets
from guardrails.claim_judge import JudgeBand, review_pattern
from guardrails.claim_scorer import SentenceEncoder
from guardrails.output_rails import pattern_sentences
from guardrails.policy import load_policy

REVIEW_UNDER = (0.1, 0.2, 0.3, 0.4, 0.5)
WITHDRAW_UNDER = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5)


def read(rule: str, held: Path, judge: Reader, encoder: SentenceEncoder) -> list[dict[str, Any]]:
    """The replies of ``held`` the rule's patterns flag: labels, and per sentence holding a match
    (``guardrails.output_rails.pattern_sentences``; None when a match runs across a cut) the
    backstop's score and the judge's probability (None where no setting on the grid would ask)."""
    policy = load_policy()
    backstop = backstop_for(rule, held, encoder)
    out = []
    for row in _rows_of(held):
        held_by = pattern_sentences(row["text"], rule, policy)
        if held_by == []:  # the rule's patterns do not fire
            continue
        scores = backstop(held_by or [])
        readings = [judge(s) if p < max(REVIEW_UNDER) else None for s, p in zip(held_by or [], scores, strict=True)]
        sentences = [{"score": p, "judge": j} for p, j in zip(scores, readings, strict=True)]
        out.append({"labels": row["labels"], "sentences": sentences if held_by is not None else None})
    return out


def grid(rule: str, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For every setting, the clean replies and the violations that lose the pattern hit (every
    sentence holding a match withdrawn, as ``guardrails.output_rails.reviewed_patterns`` decides),
    and the violations' sentences withdrawn (what a stream, checked sentence by sentence, would
    release). Upper bounds: the backstop may still flag a reply whose pattern hit is withdrawn. A
    setting that would ask about a sentence not read is left out."""
    rows = []
    for under, withdraw in itertools.product(REVIEW_UNDER, WITHDRAW_UNDER):
        band = JudgeBand(rule=rule, prompt="", withdraw_under=0.0, pattern_review_under=under, pattern_withdraw_under=withdraw)
        sentences = [(r, s) for r in replies for s in r["sentences"] or []]
        if any(s["score"] < under and s["judge"] is None for _, s in sentences):
            continue
        withdrawn = {id(s) for _, s in sentences if review_pattern("", s["score"], band, _Recorded(s["judge"])).review == "withdraw"}

        def lost(reply: dict[str, Any], withdrawn: set[int] = withdrawn) -> bool:
            return bool(reply["sentences"]) and all(id(s) in withdrawn for s in reply["sentences"])

        rows.append(
            {
                "pattern_review_under": under,
                "pattern_withdraw_under": withdraw,
                "clean_cleared": sum(lost(r) for r in replies if not r["labels"]),
                "violations_lost": sum(lost(r) for r in replies if rule in r["labels"]),
                "violation_sentences_withdrawn": sum(id(s) in withdrawn for r, s in sentences if rule in r["labels"]),
            }
        )
    clean, violations = sum(not r["labels"] for r in replies), sum(rule in r["labels"] for r in replies)
    return [{"clean_with_pattern_hit": clean, "violations_with_pattern_hit": violations}, *rows]


def main() -> None:
    from agent.llm.factory import build_claim_judge
    from core.settings import get_settings
    from retrieval.embeddings import build_embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", default="claims.guaranteed_return")
    parser.add_argument("--held", required=True, help=f"one of {sorted(sets())}")
    parser.add_argument("--json", type=Path, help="write the readings here too")
    parser.add_argument("--readings", type=Path, help="score the grid on readings written earlier with --json")
    args = parser.parse_args()
    if args.held not in sets():
        parser.error(f"--held must be one of {sorted(sets())}")
    if args.readings:
        replies = json.loads(args.readings.read_text(encoding="utf-8"))
    else:
        policy = load_policy().claim_judge
        band = policy.band(args.rule) if policy else None
        if policy is None or band is None:
            parser.error(f"the policy has no judge band for {args.rule}")
        judge = build_claim_judge(get_settings(), policy.model, {args.rule: band.prompt})
        encoder = build_embedder(get_settings().models_dir)
        replies = read(args.rule, sets()[args.held], lambda s: judge.probability(args.rule, s), encoder)
    if args.json:
        args.json.write_text(json.dumps(replies, ensure_ascii=False), encoding="utf-8")
    for row in grid(args.rule, replies):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
