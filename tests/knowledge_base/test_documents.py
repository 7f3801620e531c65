from pathlib import Path

import pytest

from knowledge_base.documents import load_document
from knowledge_base.errors import DocumentError
from knowledge_base.ingest import IngestReport, load_all

GOOD = """---
id: product-000901
title: 瑞和天天利货币A 产品概要
type: product_sheet
publisher: 瑞和基金管理有限公司
date: 2026-06-30
audience: public
products: [000901]
risk_level: R1
---
# 瑞和天天利货币A 产品概要

## 基金概况

货币市场基金，风险等级R1。
"""


def test_front_matter_becomes_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(GOOD, encoding="utf-8")
    doc = load_document(path)
    assert doc.id == "product-000901" and doc.type == "product_sheet"
    assert doc.products == ["000901"]  # YAML's integer 901 is a code again
    assert doc.chunk_meta().published.isoformat() == "2026-06-30"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ("---\nid: x\n---\n正文".encode(), "no publish date"),
        ("---\nid: x\ndate: 2026-01-01\ntype: novel\n---\n正文".encode(), "invalid metadata"),
        ("---\nid: [unclosed\n---\n正文".encode(), "bad front matter"),
    ],
)
def test_bad_files_are_named_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason) as info:
        load_document(path)
    assert "bad.md" in str(info.value)


def test_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"")
    report = IngestReport()
    docs = load_all(tmp_path, report)
    assert [d.id for d in docs] == ["product-000901"]
    assert len(report.failures) == 1 and report.failures[0].path.endswith("bad.md")


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        load_all(tmp_path / "nope", IngestReport())
