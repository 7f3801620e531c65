"""The intent evaluation: its scoring, its folds, and (end to end, real e5) the held-out accuracy."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.intent import IntentClassifier
from core.settings import Settings
from evals.intent import (
    LabelledMessage,
    evaluate_classifier,
    evaluate_turn,
    load_messages,
    run_intent_eval,
    score,
    stratified_folds,
    stratified_sample,
)
from retrieval.embeddings import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]
# Measured on the held-out set with the real embedder: 0.910 (evals/data/intent/RESULTS.md).
# The target is 0.92, not reached yet; this floor pins what we have against regressions.
HELD_OUT_FLOOR = 0.90
TURN_TARGET = 0.92


def test_score_counts_accuracy_and_per_label_f1() -> None:
    result = score(["fees", "fees", "distress", "chitchat"], ["fees", "distress", "distress", "chitchat"])
    assert result["accuracy"] == 0.75 and result["n"] == 4
    assert result["per_intent_f1"]["fees"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["per_intent_f1"]["distress"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["per_intent_f1"]["chitchat"] == 1.0 and result["per_intent_f1"]["out_of_scope"] == 0.0


def test_folds_are_stratified_disjoint_and_cover_the_set() -> None:
    rows = load_messages()
    folds = stratified_folds(rows, 5)
    assert sorted(i for f in folds for i in f) == list(range(len(rows)))
    for fold in folds:
        per_label = {label: sum(rows[i].intent == label for i in fold) for label in {r.intent for r in rows}}
        assert min(per_label.values()) >= 7
    assert folds == stratified_folds(rows, 5)


def test_a_stratified_sample_keeps_every_label() -> None:
    rows = load_messages()
    sample = stratified_sample(rows, 150)
    assert 140 <= len(sample) <= 200 and {r.intent for r in sample} == {r.intent for r in rows}


def test_the_report_has_the_shape_the_cli_writes(tmp_path: Path) -> None:
    data = tmp_path / "messages.jsonl"
    rows = [
        LabelledMessage(id="i-1", text="帮我把招行全卖了", intent="trade_request"),
        LabelledMessage(id="i-2", text="我要投诉", intent="complaint_or_human"),
        LabelledMessage(id="i-3", text="什么是可转债", intent="knowledge_question"),
        LabelledMessage(id="i-4", text="谢谢", intent="chitchat"),
        LabelledMessage(id="i-5", text="赎回费多少", intent="fees"),
    ]
    data.write_text("".join(r.model_dump_json() + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "intent.json"
    report = run_intent_eval(Settings(), with_model=False, json_path=out, data=data, embedder=HashingEmbedder())
    intent = report["intent"]
    assert out.is_file() and intent["n"] == 5
    assert set(intent["classifiers"]) == {"turn", "rules+embedding", "rules_only", "cv5"}
    assert intent["accuracy"] == intent["classifiers"]["turn"]["accuracy"]
    assert set(intent["per_intent_f1"]) >= {"knowledge_question", "trade_request"}


@pytest.mark.e2e
def test_held_out_accuracy_with_the_real_embedder() -> None:
    from retrieval.embeddings import build_embedder

    classifier = IntentClassifier(build_embedder(REPO / "data" / "models"))
    result = evaluate_classifier(classifier, load_messages())
    assert result["n"] == 376
    assert result["accuracy"] >= HELD_OUT_FLOOR
    # The intent the turn acts on (the input rails' scope screen first) meets the issue's 0.92.
    assert evaluate_turn(classifier, load_messages())["accuracy"] >= TURN_TARGET
