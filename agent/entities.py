"""Resolve product mentions in a message against the catalog: pure functions."""

from __future__ import annotations

from records.repository import ProductView
from retrieval.keyword import CODE


def _names(product: ProductView) -> list[str]:
    names = [product.name, product.short_name or "", *product.aliases]
    return [n for n in names if len(n) >= 2]


def find_products(text: str, catalog: list[ProductView]) -> list[ProductView]:
    """Products named in ``text`` by code, name, short name or alias, in order of appearance.

    Longer names are matched first so that "瑞和价值成长混合A" is not also read as a
    shorter alias of another product.
    """
    by_code = {p.code: p for p in catalog}
    found: dict[str, int] = {}
    for m in CODE.finditer(text):
        if m.group() in by_code:
            found.setdefault(m.group(), m.start())
    spans: list[tuple[int, int]] = []
    candidates = sorted(((name, p) for p in catalog for name in _names(p)), key=lambda item: -len(item[0]))
    for name, product in candidates:
        start = text.find(name)
        while start != -1:
            end = start + len(name)
            if all(end <= s or start >= e for s, e in spans):
                spans.append((start, end))
                found.setdefault(product.code, start)
                break
            start = text.find(name, start + 1)
    return [by_code[code] for code, _ in sorted(found.items(), key=lambda item: item[1])]
