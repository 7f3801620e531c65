"""The guardrail benchmark's blind-set figures: pooled over every blind set present, each set
reported on its own, and sets that are absent skipped."""

from __future__ import annotations

import json
from pathlib import Path

from evals.bench_guardrail import blind_figures, naive_baseline_pooled
from tests.guardrails.test_claim_judge import GREY

PROMISE = "这只产品您放心买，保本保收益，稳赚不赔。"
CLEAN = "本基金不保本，历史业绩不代表未来表现，请您根据自身情况决定。"


def write_set(folder: Path, rows: list[tuple[str, str, list[str]]]) -> Path:
    folder.mkdir(parents=True)
    lines = [
        json.dumps({"id": i, "kind": "reply", "text": t, "labels": labels, "client_class": "C3"}, ensure_ascii=False)
        for i, t, labels in rows
    ]
    (folder / "replies.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_blind_sets_are_pooled_and_reported_one_by_one(tmp_path: Path) -> None:
    first = write_set(tmp_path / "blind", [("a-1", PROMISE, ["claims.guaranteed_return"]), ("a-2", CLEAN, [])])
    second = write_set(
        tmp_path / "blind2", [("b-1", "我们承诺年化收益不低于5%，到期一分不少。", ["claims.guaranteed_return"]), ("b-2", CLEAN, [])]
    )
    figures = blind_figures((first, second, tmp_path / "absent"))
    assert figures is not None and figures["n"] == 4
    assert set(figures["sets"]) == {"blind", "blind2"} and figures["sets"]["blind"]["n"] == 2
    assert figures["per_class"]["guaranteed_return"]["support"] == 2
    assert figures["per_class"]["guaranteed_return"]["recall"] == 1.0 and figures["clean_reply_fpr"] == 0.0
    assert figures["p95_ms"] > 0


def test_no_blind_set_gives_no_figures_and_the_baseline_pools_the_same_sets(tmp_path: Path) -> None:
    assert blind_figures((tmp_path / "absent",)) is None
    first = write_set(tmp_path / "blind", [("a-1", PROMISE, ["claims.guaranteed_return"]), ("a-2", CLEAN, [])])
    baseline = naive_baseline_pooled((first, tmp_path / "absent"))
    # The phrase list sees 保本 in the hard negative too: that is what the baseline is for.
    assert baseline["per_class"]["guaranteed_return"]["recall"] == 1.0 and baseline["clean_reply_fpr"] == 1.0


def test_the_judged_run_reports_the_judge_beside_the_deterministic_figures(tmp_path: Path) -> None:
    from evals.bench_guardrail import judged_blind_figures
    from tests.guardrails.test_claim_judge import ScriptedJudge

    folder = write_set(tmp_path / "blind", [("a-1", GREY, ["claims.guaranteed_return"]), ("a-2", CLEAN, [])])
    deterministic = blind_figures((folder,))
    assert deterministic is not None and deterministic["per_class"]["guaranteed_return"]["recall"] == 0.0
    judged = judged_blind_figures((folder,), ScriptedJudge({GREY: 0.9}), deterministic)
    assert judged is not None and judged["per_class"]["guaranteed_return"]["recall"] == 1.0
    report = judged["claim_judge"]
    assert report["model"] == "scripted" and report["sentences_read"] == 1 and report["p95_ms_per_sentence"] is not None
    assert report["sentences_read_by_rule"] == {"claims.guaranteed_return": 1}
    assert report["deterministic_rails_only"]["per_class"]["guaranteed_return"]["recall"] == 0.0
    assert set(report["deterministic_rails_only"]["sets"]) == {"blind"}


def test_the_semantic_run_embeds_the_sentences_and_is_reported_beside_the_deterministic_one(tmp_path: Path) -> None:
    from evals.bench_guardrail import encoder_summary
    from tests.guardrails.test_claim_scorer import KeyedEncoder

    folder = write_set(tmp_path / "blind", [("a-1", GREY, ["claims.guaranteed_return"]), ("a-2", CLEAN, [])])
    deterministic = blind_figures((folder,))
    encoder = KeyedEncoder("multilingual-e5-small-int8", [0.0] * 384)
    semantic = blind_figures((folder,), encoder=encoder)
    assert deterministic is not None and semantic is not None and encoder.calls > 0
    summary = encoder_summary(semantic, encoder.name, deterministic)
    assert summary["encoder"] == encoder.name and set(summary["sets"]) == {"blind"}
    assert summary["deterministic_p95_ms"] == deterministic["p95_ms"] and summary["reply_p95_ms_with_encoder"] > 0
    assert set(summary["per_class"]) >= {"guaranteed_return", "suitability"}
