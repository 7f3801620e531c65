"""Documents that disagree on the same fact, and superseded documents: pure functions.

Two research reports on one stock from different publishers within ``WINDOW_DAYS`` with different
ratings or target prices,
two documents giving different running-fee rates for one fund, and a document replaced by a newer
version. Answers that use one side of a conflict mention the other instead of picking silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from pydantic import BaseModel

from retrieval.models import Chunk, ChunkMeta

WINDOW_DAYS = 120
TARGET_TOLERANCE = 0.05
FEE_KINDS = ("管理费", "托管费", "销售服务费")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
CHANGE = re.compile(r"调低|调高|下调|上调|调整为|降至|降低")


class Conflict(BaseModel):
    kind: str  # rating | target_price | fee | superseded
    subject: str  # the stock or product code, or the superseded document
    doc_ids: tuple[str, str]
    detail: str


def _research_conflicts(metas: list[ChunkMeta]) -> list[Conflict]:
    by_security: dict[str, list[ChunkMeta]] = defaultdict(list)
    for m in metas:
        # Only single-stock reports with a view: an industry rating is not a rating of each stock.
        if m.doc_type == "research_report" and m.superseded_by is None and len(m.securities) == 1 and (m.rating or m.target_price):
            by_security[m.securities[0]].append(m)
    found: list[Conflict] = []
    for code, reports in by_security.items():
        # A house that changes its view has updated it, not contradicted itself: only each
        # publisher's latest report on the stock takes part.
        latest: dict[str, ChunkMeta] = {}
        for m in sorted(reports, key=lambda m: (m.published, m.doc_id)):
            latest[m.publisher] = m
        for a, b in combinations(sorted(latest.values(), key=lambda m: (m.published, m.doc_id)), 2):
            if abs((a.published - b.published).days) > WINDOW_DAYS:
                continue
            pair = (a.doc_id, b.doc_id)
            if a.rating and b.rating and a.rating != b.rating:
                detail = f"{a.publisher}（{a.published}）评级{a.rating}，{b.publisher}（{b.published}）评级{b.rating}"
                found.append(Conflict(kind="rating", subject=code, doc_ids=pair, detail=detail))
            if (
                a.target_price
                and b.target_price
                and abs(a.target_price - b.target_price) / max(a.target_price, b.target_price) > TARGET_TOLERANCE
            ):
                detail = (
                    f"{a.publisher}（{a.published}）目标价{a.target_price:g}元，{b.publisher}（{b.published}）目标价{b.target_price:g}元"
                )
                found.append(Conflict(kind="target_price", subject=code, doc_ids=pair, detail=detail))
    return found


def fee_figures(text: str) -> dict[str, float]:
    """The running-fee rates a text states, by kind (the first line that states each kind).

    A line with several rates in a document that announces a change ("由1.20%调低至0.80%", or a
    table of old and new rates) gives its last rate: the one in force after the change."""
    changes = CHANGE.search(text) is not None
    figures: dict[str, float] = {}
    for line in text.splitlines():
        for kind in FEE_KINDS:
            at = line.find(kind)
            if at < 0 or kind in figures:
                continue
            rates = PERCENT.findall(line[at:])
            if rates:
                figures[kind] = float(rates[-1] if changes and len(rates) > 1 else rates[0])
    return figures


def _fee_conflicts(docs: dict[str, tuple[ChunkMeta, str]]) -> list[Conflict]:
    by_product: dict[str, list[tuple[ChunkMeta, dict[str, float]]]] = defaultdict(list)
    for meta, text in docs.values():
        if meta.superseded_by is None and len(meta.products) == 1:
            figures = fee_figures(text)
            if figures:
                by_product[meta.products[0]].append((meta, figures))
    found: list[Conflict] = []
    for code, entries in by_product.items():
        for (a, fa), (b, fb) in combinations(sorted(entries, key=lambda e: (e[0].published, e[0].doc_id)), 2):
            for kind in sorted(set(fa) & set(fb)):
                if fa[kind] != fb[kind]:
                    detail = f"《{a.title}》（{a.published}）{kind}{fa[kind]:g}%，《{b.title}》（{b.published}）{kind}{fb[kind]:g}%"
                    found.append(Conflict(kind="fee", subject=code, doc_ids=(a.doc_id, b.doc_id), detail=detail))
    return found


def find_conflicts(chunks: Iterable[Chunk]) -> list[Conflict]:
    """Every conflict and superseded document among the chunks' documents."""
    docs: dict[str, tuple[ChunkMeta, str]] = {}
    texts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for c in chunks:
        docs.setdefault(c.meta.doc_id, (c.meta, ""))
        texts[c.meta.doc_id].append((c.ordinal, c.text))
    docs = {d: (meta, "\n".join(t for _, t in sorted(texts[d]))) for d, (meta, _) in docs.items()}
    metas = [meta for meta, _ in docs.values()]
    superseded = [
        Conflict(kind="superseded", subject=m.doc_id, doc_ids=(m.doc_id, m.superseded_by), detail=f"《{m.title}》已被{m.superseded_by}取代")
        for m in metas
        if m.superseded_by
    ]
    return _research_conflicts(metas) + _fee_conflicts(docs) + sorted(superseded, key=lambda c: c.subject)


def conflict_notes(doc_ids: Iterable[str], conflicts: list[Conflict]) -> list[str]:
    """Chinese notes for the conflicts that touch any of ``doc_ids`` (superseded ones excluded:
    retrieval already prefers the current version)."""
    wanted = set(doc_ids)
    notes = []
    for c in conflicts:
        if c.kind != "superseded" and wanted & set(c.doc_ids):
            notes.append(f"注意：资料之间存在不一致——{c.detail}。请向客户说明存在分歧，不要只采用其中一方。")
    return notes
