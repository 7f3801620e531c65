"""Multi-turn memory: the conversation so far as prompt text within a token budget, and
follow-ups ("那另一只呢", "它的费率呢") resolved against the products discussed earlier."""

from __future__ import annotations

import re

from agent.entities import find_products
from agent.tokens import count_tokens, truncate_to_tokens
from records.repository import ProductView, TurnRecord

FOLLOW_UP = re.compile(r"另一只|另外一只|另一个|另外那|那只|这只|那个|这个|它|刚才|上面|前面|还有呢|呢[？?]?$")
OTHER = re.compile(r"另一|另外")
VERBATIM_TURNS = 2
SUMMARY_CHARS = 40


def _answer_only(reply: str) -> str:
    """The answer part of a logged reply (the disclosures follow a blank line)."""
    return reply.split("\n\n", 1)[0].strip()


def history_text(turns: list[TurnRecord], budget: int) -> str:
    """Older turns summarised to their first words, the last few verbatim; newest kept first
    when the budget runs out."""
    lines: list[str] = []
    for i, turn in enumerate(turns):
        answer = _answer_only(turn.reply)
        if i < len(turns) - VERBATIM_TURNS:
            lines.append(f"（第{turn.seq}轮摘要）客户：{turn.question[:SUMMARY_CHARS]}；顾问：{answer[:SUMMARY_CHARS]}")
        else:
            lines.append(f"（第{turn.seq}轮）客户：{turn.question}\n顾问：{answer}")
    kept: list[str] = []
    spent = 0
    for line in reversed(lines):
        cost = count_tokens(line)
        if spent + cost > budget:
            room = budget - spent
            if room > 30:
                kept.append(truncate_to_tokens(line, room))
            break
        kept.append(line)
        spent += cost
    return "\n".join(reversed(kept))


def products_by_turn(turns: list[TurnRecord], catalog: list[ProductView]) -> list[list[ProductView]]:
    """The products each earlier turn was about: named in its question, else in its verdicts."""
    by_code = {p.code: p for p in catalog}
    out = []
    for turn in turns:
        named = find_products(turn.question, catalog)
        if not named and turn.suitability:
            named = [by_code[r["product_code"]] for r in turn.suitability.get("results", []) if r.get("product_code") in by_code]
        out.append(named)
    return out


def resolve_follow_up(text: str, named: list[ProductView], history: list[list[ProductView]]) -> list[ProductView]:
    """The products a message is about: the ones it names, else the ones an anaphor points
    back to. "另一只" means a product discussed earlier that was not the last turn's focus."""
    if named or not history or not FOLLOW_UP.search(text):
        return named
    last = history[-1]
    if OTHER.search(text):
        focus = {p.code for p in last[:1]}
        for products in reversed(history):
            others = [p for p in products if p.code not in focus]
            if others:
                return others[:1]
        return []
    for products in reversed(history):
        if products:
            return products[:1]
    return []


BARE_FOLLOW_UP_CHARS = 12


def carried_intent(text: str, history: list[TurnRecord]) -> str | None:
    """The previous turn's intent for a bare follow-up ("那另一只呢？", "它呢"), which says too
    little to classify on its own; None when the message stands on its own."""
    if not history or len(text.strip()) > BARE_FOLLOW_UP_CHARS or not FOLLOW_UP.search(text):
        return None
    return history[-1].intent
