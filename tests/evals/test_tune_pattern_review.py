"""The grid of ``evals.tune_pattern_review`` on readings given by hand (no model)."""

from __future__ import annotations

from typing import Any

from evals.tune_pattern_review import grid

RULE = "claims.guaranteed_return"


def reply(labels: list[str], *sentences: tuple[float, float | None]) -> dict[str, Any]:
    return {"labels": labels, "sentences": [{"score": s, "judge": j} for s, j in sentences]}


REPLIES = [
    reply([], (0.05, 0.1)),  # an honest negation: low score, low reading
    reply([], (0.3, 0.38)),
    reply([], (0.8, None)),  # the backstop is sure: never read
    reply([RULE], (0.05, 0.1), (0.9, None)),  # one sentence of two cleared: the hit stands
    reply([RULE], (0.2, 0.7)),
    reply([RULE], (0.35, 0.42)),  # a promise the judge reads low
    {"labels": [RULE], "sentences": None},  # a match across a sentence cut: never withdrawn
]


def setting(rows: list[dict[str, Any]], under: float, withdraw: float) -> dict[str, Any]:
    return next(r for r in rows[1:] if r["pattern_review_under"] == under and r["pattern_withdraw_under"] == withdraw)


def test_the_grid_counts_the_replies_that_lose_the_pattern_hit_and_the_sentences_let_through() -> None:
    rows = grid(RULE, REPLIES)
    assert rows[0] == {"clean_with_pattern_hit": 3, "violations_with_pattern_hit": 4}
    assert setting(rows, 0.1, 0.2) == {
        "pattern_review_under": 0.1,
        "pattern_withdraw_under": 0.2,
        "clean_cleared": 1,
        "violations_lost": 0,
        "violation_sentences_withdrawn": 1,  # the cleared sentence of the reply that keeps its hit
    }
    assert setting(rows, 0.4, 0.4)["clean_cleared"] == 2
    assert setting(rows, 0.3, 0.4)["clean_cleared"] == 1  # 0.3 is not under 0.3: not read
    assert setting(rows, 0.4, 0.45) | {"clean_cleared": None} == {
        "pattern_review_under": 0.4,
        "pattern_withdraw_under": 0.45,
        "clean_cleared": None,
        "violations_lost": 1,
        "violation_sentences_withdrawn": 2,
    }


def test_a_setting_that_would_ask_about_an_unread_sentence_is_left_out() -> None:
    rows = grid(RULE, [reply([], (0.25, None))])
    assert {r["pattern_review_under"] for r in rows[1:]} == {0.1, 0.2}
