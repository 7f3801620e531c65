"""The band grid of ``evals.tune_claim_judge`` on readings given by hand (no model)."""

from __future__ import annotations

from typing import Any

from evals.tune_claim_judge import RULE, grid

REPLIES = [
    {"labels": [RULE], "pattern": False, "sentences": [{"score": 0.5, "judge": 0.9}, {"score": 0.1, "judge": None}]},
    {"labels": [], "pattern": False, "sentences": [{"score": 0.9, "judge": 0.1}]},
    {"labels": [RULE], "pattern": True, "sentences": [{"score": 0.2, "judge": None}]},
]


def row(rows: list[dict[str, Any]], band: dict[str, float] | None) -> dict[str, Any]:
    return next(r for r in rows if r["band"] == band)


def test_the_backstop_alone_and_a_band_setting_are_scored_on_the_same_replies() -> None:
    rows = grid(REPLIES, threshold=0.8)
    alone = row(rows, None)
    assert (alone["recall"], alone["clean_fpr"], alone["sentences_read"]) == (0.5, 1.0, 0)
    judged = row(rows, {"consult_from": 0.3, "flag_at": 0.8, "withdraw_under": 0.2})
    assert (judged["recall"], judged["clean_fpr"], judged["sentences_read"]) == (1.0, 0.0, 2)
    strict = row(rows, {"consult_from": 0.5, "flag_at": 0.85, "withdraw_under": 0.0})
    assert (strict["recall"], strict["clean_fpr"]) == (1.0, 1.0)
    assert len(rows) == 1 + 3 * 3 * 4
