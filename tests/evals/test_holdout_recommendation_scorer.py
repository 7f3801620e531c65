"""The held-out check behind each above-class source's admission: the rule's figures per threshold,
and a real run on one source with the n-gram backstop."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evals.holdout_recommendation_scorer import held_out, main, rates
from evals.train_recommendation_scorer import SOURCES


def test_rates_count_the_cues_or_the_backstops_best_sentence() -> None:
    best = np.array([0.9, 0.6, 0.0, 0.7, 0.2])
    cues = np.array([False, False, True, False, False])
    positive = np.array([True, True, True, False, False])
    clean = ~positive
    figures = rates(best, cues, positive, clean, thresholds=(0.5, 0.65, 0.8))
    assert figures["0.5"] == {"recall": 1.0, "precision": 0.75, "clean_fpr": 0.5, "flagged_clean": 1}
    assert figures["0.65"] == {"recall": 2 / 3, "precision": 2 / 3, "clean_fpr": 0.5, "flagged_clean": 1}
    assert figures["0.8"] == {"recall": 2 / 3, "precision": 1.0, "clean_fpr": 0.0, "flagged_clean": 0}


def test_an_unknown_source_is_refused_before_any_model_loads(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--without", "guardrail_blind9"])
    assert exit_.value.code == 2
    assert "not a source" in capsys.readouterr().err


def test_a_source_held_out_with_the_ngram_backstop() -> None:
    pytest.importorskip("sklearn")
    held = next(p for p in SOURCES if p.parent.name == "guardrail_train3")
    figures = held_out(held, SOURCES, None, {})
    recalls = [v["recall"] for v in figures.values()]
    flagged = [v["clean_fpr"] for v in figures.values()]
    assert all(0.0 < r <= 1.0 for r in recalls) and all(0.0 <= f < 0.5 for f in flagged)
    # A higher threshold never flags more: recall and clean flags fall (or hold) along the grid.
    assert recalls == sorted(recalls, reverse=True) and flagged == sorted(flagged, reverse=True)
    # Leaving a source out of training changes what the backstop learned.
    without = held_out(held, tuple(p for p in SOURCES if p.parent.name != "guardrail_train17"), None, {})
    assert without != figures


def test_the_command_prints_one_line_per_source_held_out(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    main(["--lexical", "--held", "guardrail_train3", "--without", "guardrail_train17"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["held_out"] for r in rows] == ["guardrail_train3"]
    assert rows[0]["without"]["left_out"] == ["guardrail_train17"] and set(rows[0]["sources"]) == set(rows[0]["without"]["figures"])
