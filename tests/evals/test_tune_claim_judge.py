"""The band grid of ``evals.tune_claim_judge`` on readings given by hand (no model)."""

from __future__ import annotations

from typing import Any

from evals.tune_claim_judge import DEV_SET, grid, sets

RULE = "claims.guaranteed_return"
REPLIES = [
    {"labels": [RULE], "pattern": False, "sentences": [{"score": 0.5, "judge": 0.9}, {"score": 0.1, "judge": None}]},
    {"labels": [], "pattern": False, "sentences": [{"score": 0.9, "judge": 0.1}]},
    {"labels": [RULE], "pattern": True, "sentences": [{"score": 0.2, "judge": None}]},
]


def row(rows: list[dict[str, Any]], band: dict[str, float | None] | None) -> dict[str, Any]:
    return next(r for r in rows if r["band"] == band)


def test_the_backstop_alone_and_a_band_setting_are_scored_on_the_same_replies() -> None:
    rows = grid(RULE, REPLIES, threshold=0.8)
    alone = row(rows, None)
    assert (alone["recall"], alone["clean_fpr"], alone["sentences_read"]) == (0.5, 1.0, 0)
    judged = row(rows, {"consult_from": 0.3, "flag_at": 0.8, "withdraw_under": 0.2})
    assert (judged["recall"], judged["clean_fpr"], judged["sentences_read"]) == (1.0, 0.0, 2)
    strict = row(rows, {"consult_from": 0.5, "flag_at": 0.85, "withdraw_under": 0.0})
    assert (strict["recall"], strict["clean_fpr"]) == (1.0, 1.0)
    withdraw_only = row(rows, {"consult_from": 0.3, "flag_at": None, "withdraw_under": 0.2})
    assert (withdraw_only["recall"], withdraw_only["clean_fpr"], withdraw_only["sentences_read"]) == (0.5, 0.0, 1)
    # Every setting but those that would ask about the unread sentences scored 0.1 and 0.2
    # (consulting from 0.1 or 0.2 with a flag cut-off).
    assert len(rows) == 1 + 5 * 5 * 7 - 2 * 4 * 7


def test_a_surer_step_is_scored_beside_the_band_it_lowers() -> None:
    # A promise whose sentence the backstop scores 0.65 and the judge reads 0.62, and a clean reply
    # scored 0.55 that the judge reads 0.62: the step from 0.6 catches the first only.
    replies = [
        {"labels": [RULE], "pattern": False, "sentences": [{"score": 0.65, "judge": 0.62}]},
        {"labels": [], "pattern": False, "sentences": [{"score": 0.55, "judge": 0.62}]},
    ]
    rows = grid(RULE, replies, threshold=0.8, surer=True)
    plain = row(rows, {"consult_from": 0.3, "flag_at": 0.75, "withdraw_under": 0.4})
    assert (plain["recall"], plain["clean_fpr"]) == (0.0, 0.0)
    step = row(rows, {"consult_from": 0.3, "flag_at": 0.75, "withdraw_under": 0.4, "surer_from": 0.6, "surer_flag_at": 0.6})
    assert (step["recall"], step["clean_fpr"]) == (1.0, 0.0)
    low = row(rows, {"consult_from": 0.3, "flag_at": 0.75, "withdraw_under": 0.4, "surer_from": 0.5, "surer_flag_at": 0.6})
    assert (low["recall"], low["clean_fpr"]) == (1.0, 1.0)
    assert len(grid(RULE, replies, threshold=0.8)) < len(rows)  # steps only with --surer


def test_a_setting_that_would_ask_about_unread_sentences_is_left_out() -> None:
    replies = [{"labels": [], "pattern": False, "sentences": [{"score": 0.35, "judge": None}]}]
    rows = grid(RULE, replies, threshold=0.8)
    assert all(r["band"] is None or r["band"]["consult_from"] > 0.35 or r["band"]["flag_at"] is None for r in rows)
    assert row(rows, None)["recall"] is None


def test_the_dev_set_and_every_training_source_can_be_held_out_and_no_blind_set_can() -> None:
    names = sets()
    assert names["guardrail_dev5"] == DEV_SET and DEV_SET.exists()
    assert not any("blind" in str(path) for path in names.values())
