"""The answer a client gets when a draft fails the rails or the model fails: built only from
facts (the suitability verdict, the product's catalog facts, cited passages), never from the draft."""

from __future__ import annotations

from agent.context import product_fact_line
from guardrails.injection import neutralise
from guardrails.models import SuitabilityResult
from prompts import load_prompt
from records.repository import ProductView
from retrieval.models import Hit

MAX_QUOTES = 2
QUOTE_CHARS = 90


def _quote(hit: Hit) -> str:
    meta = hit.chunk.meta
    text = " ".join(neutralise(hit.chunk.text).split())  # a planted instruction is never quoted
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1] + "…"
    return f"据《{meta.title}》（{meta.publisher}，{meta.published.isoformat()}）：{text}"


def build_safe_answer(suitability: list[SuitabilityResult], products: list[ProductView], hits: list[Hit]) -> str:
    """A short, cited answer from the same facts the model was given."""
    if not suitability and not products and not hits:
        return load_prompt("no_context").text
    return load_prompt("safe_answer").render(
        suitability="".join(s.reason for s in suitability),
        facts="".join(product_fact_line(p) for p in products if p.code not in {s.product_code for s in suitability}),
        sources="".join(_quote(h) + "。" for h in hits[:MAX_QUOTES]),
    )
