"""The retrieval benchmark end to end on a tiny external corpus (the documented JSONL format),
with the hashing embedder: every system scored, the held-out set scored apart."""

from __future__ import annotations

import json
from pathlib import Path

from evals.bench_retrieval import bench
from retrieval.embeddings import HashingEmbedder

DOCS = [
    {"id": "fees", "title": "费率说明", "text": "瑞和价值成长混合A的管理费率为1.20%/年，托管费率为0.20%/年。持有7天以内赎回费率1.50%。"},
    {"id": "rules", "title": "交易规则", "text": "科创板股票交易实行价格涨跌幅限制，涨跌幅比例为20%。开通科创板需要满足资产和经验要求。"},
    {"id": "edu", "title": "定投入门", "text": "基金定投是定期定额投资基金的方式，可以摊薄成本，但不能保证盈利。"},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_bench_scores_every_system_and_the_heldout_set_apart(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", DOCS)  # type: ignore[arg-type]
    main = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "q1", "question": "管理费率是多少", "gold_ids": ["fees"]},
            {"id": "q2", "question": "科创板涨跌幅限制", "gold_ids": ["rules"]},
            {"id": "q3", "question": "比特币挖矿电费", "no_answer": True},
        ],
    )
    held = write_jsonl(tmp_path / "h.jsonl", [{"id": "h1", "question": "定投能摊薄成本吗", "gold_ids": ["edu"]}])
    report = bench(corpus, main, HashingEmbedder(), min_similarity=0.5, scales=(), heldout_path=held, baseline_embedder=HashingEmbedder(32))
    assert set(report["systems"]) == {"ours", "langchain_naive", "bm25", "dense_only"}
    for figures in report["systems"].values():
        assert figures["queries"] == 3 and 0.0 <= figures["recall@5"] <= 1.0 and figures["chunks_per_s"] > 0
    assert report["systems"]["bm25"]["recall@5"] == 1.0  # the two answerable queries share words with their documents
    assert {name: f["queries"] for name, f in report["heldout"].items()} == dict.fromkeys(report["systems"], 1)
    assert report["scale"] == {}
    ingestion = report["ingestion"]
    assert 180 <= ingestion["mean_chars"] <= 240  # "chunks of about 200 characters"
    for side in ("ours", "baseline_torch_fp32"):
        assert ingestion[side]["chunks"] == 300 and ingestion[side]["chunks_per_s"] > 0
