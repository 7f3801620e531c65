"""Whether a new source helps the above-class backstop: ``python -m evals.holdout_recommendation_scorer``.

Each recommendation source in turn is left out; the backstop is refitted on the others exactly as
``evals.train_recommendation_scorer`` fits it (semantic: n-grams plus the int8 e5 vector of each
masked window, one window per call as the rails embed it) and scored on the source left out,
as the rule runs: a reply is flagged when the cue rules flag it or one of its windows for an
above-class product scores at least the threshold. Printed per source and threshold: recall on its
pushes, precision, and the share of its clean replies flagged. With ``--without FOLDER`` (repeatable) the same
figures are printed beside for the backstop trained without those sources: the comparison behind
each source's admission (the held-out figures beside ``SOURCES`` in the trainer). Never run on a
blind set; the sources are training data.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from evals.guardrail import Case, load_cases
from evals.train_claim_scorer import THRESHOLDS, Embed, _matrix, embedding_of
from evals.train_recommendation_scorer import RULE, SOURCES, Example, _fit, _rates, examples, reply_scores

GRID = tuple(t for t in THRESHOLDS if 0.55 <= t <= 0.8)


Loaded = dict[Path, tuple[list[Case], list[Example], np.ndarray]]
"""Each file read once: its replies, its masked windows and whether the cue rules flag each reply."""


def rates(
    best: np.ndarray, cues: np.ndarray, positive: np.ndarray, clean: np.ndarray, thresholds: tuple[float, ...] = GRID
) -> dict[str, dict[str, float | int]]:
    """Per threshold, the trainer's figures (recall, precision, clean-reply false-positive rate) of
    the rule as it runs: the cues, or the backstop's best window score at the threshold."""
    return {str(th): _rates(cues | (best >= th), positive, clean) for th in thresholds}


def held_out(held: Path, sources: tuple[Path, ...], embed: Embed | None, cache: Loaded) -> dict[str, Any]:
    """``held``'s figures with the backstop fitted on ``sources`` (``held`` itself left out)."""
    for path in {held, *sources}:
        if path not in cache:
            cases = load_cases(path)
            cache[path] = (cases, *examples(cases))
    cases, rows, cues = cache[held]
    texts = [e.text for path in sources if path != held for e in cache[path][1]]
    labels = np.array([e.recommended for path in sources if path != held for e in cache[path][1]])
    vectorizer, model = _fit(texts, labels, embed)
    proba = model.predict_proba(_matrix(vectorizer, [e.text for e in rows], embed))[:, 1] if rows else np.zeros(0)
    best = reply_scores(len(cases), rows, proba)
    positive = np.array([RULE in c.labels for c in cases])
    clean = np.array([not c.labels for c in cases])
    return rates(best, cues, positive, clean)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexical", action="store_true", help="the n-gram backstop (no embedder)")
    parser.add_argument("--without", action="append", default=[], help="a source folder (guardrail_train17) left out of the comparison")
    parser.add_argument("--held", action="append", default=[], help="only these source folders held out (default: every one)")
    args = parser.parse_args(argv)
    by_name = {p.parent.name + "/" + p.name: p for p in SOURCES}
    unknown = [n for n in args.without + args.held if not any(k.startswith(n + "/") for k in by_name)]
    if unknown:
        parser.error(f"not a source: {unknown} (sources: {sorted(by_name)})")
    embed = None
    if not args.lexical:
        from core.settings import get_settings
        from retrieval.embeddings import build_embedder

        embed = embedding_of(build_embedder(get_settings().models_dir))
    recommendations = [p for p in SOURCES if p.name == "recommendations.jsonl"]
    held = [p for p in recommendations if not args.held or p.parent.name in args.held]
    compared = tuple(p for p in SOURCES if p.parent.name not in args.without)
    cache: Loaded = {}
    for path in held:
        row: dict[str, Any] = {"held_out": path.parent.name, "sources": held_out(path, SOURCES, embed, cache)}
        if args.without:
            row["without"] = {"left_out": args.without, "figures": held_out(path, compared, embed, cache)}
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
