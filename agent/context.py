"""Prompt assembly: stable parts first (rules, client profile), variable parts last.

llama.cpp reuses the cached prefix of the previous request, so a client's second question
only pays for the passages and the question.
"""

from __future__ import annotations

import re

from agent.llm.protocol import ChatMessage
from agent.tokens import count_tokens, truncate_to_tokens
from guardrails.injection import neutralise
from guardrails.models import SuitabilityResult
from guardrails.suitability import RISK_NAMES, class_label
from prompts import load_prompt
from records.repository import ClientView, HoldingView, ProductView
from retrieval.models import Hit

LIQUIDITY = {"low": "低", "medium": "中", "high": "高"}


def holdings_lines(holdings: list[HoldingView], catalog: dict[str, ProductView]) -> str:
    if not holdings:
        return "（无持仓）"
    lines = []
    for h in holdings:
        p = catalog.get(h.product_code)
        label = f"{p.name}（{p.code}，{p.risk_level}）" if p else h.product_code
        lines.append(f"- {label}：市值{h.market_value:,.2f}元，成本{h.cost:,.2f}元")
    return "\n".join(lines)


def system_message(client: ClientView, holdings: list[HoldingView], catalog: dict[str, ProductView], canary: str) -> ChatMessage:
    profile = load_prompt("client_profile").render(
        risk_class=class_label(client.risk_class, client.investor_type),
        risk_expires=client.risk_expires_at.isoformat(),
        goals="、".join(client.goals) or "未填写",
        horizon=f"{client.horizon_years}年" if client.horizon_years else "未填写",
        liquidity=LIQUIDITY.get(client.liquidity_need or "", "未填写"),
        total_value=f"{sum(h.market_value for h in holdings):,.2f}",
        holdings=holdings_lines(holdings, catalog),
    )
    rules = load_prompt("system").render(canary=canary)
    return ChatMessage(role="system", content=f"{rules}\n\n{profile}")


def product_fact_line(product: ProductView) -> str:
    facts = [f"{product.name}（{product.code}）：{RISK_NAMES.get(product.risk_level, '')}（{product.risk_level}）"]
    drawdown = product.key_facts.get("max_drawdown")
    if isinstance(drawdown, int | float):
        facts.append(f"最大回撤{drawdown * 100:.2f}%")
    vol = product.key_facts.get("volatility")
    if isinstance(vol, int | float):
        facts.append(f"波动率{vol * 100:.2f}%")
    return "，".join(facts) + "。"


def facts_block(suitability: list[SuitabilityResult], products: list[ProductView], extra: list[str]) -> str:
    lines = [product_fact_line(p) for p in products]
    lines += [f"适当性判定：{s.reason}" for s in suitability]
    lines += extra
    return "\n".join(lines) or "（无）"


def passages_block(hits: list[Hit], budget: int) -> tuple[str, list[Hit]]:
    """Numbered passages within ``budget`` tokens, and the hits that made it in."""
    parts: list[str] = []
    used: list[Hit] = []
    spent = 0
    for i, hit in enumerate(hits, start=1):
        meta = hit.chunk.meta
        head = f"[{i}] 《{meta.title}》（{meta.publisher}，{meta.published.isoformat()}）{hit.chunk.section}"
        body = neutralise(hit.chunk.text)  # documents are data, never instructions
        cost = count_tokens(head) + count_tokens(body)
        if spent + cost > budget:
            room = budget - spent - count_tokens(head)
            if room < 40:
                break
            body = truncate_to_tokens(body, room)
            cost = budget - spent
        parts.append(f"{head}\n{body}")
        used.append(hit)
        spent += cost
    return ("\n\n".join(parts) or "（未检索到相关资料）"), used


def answer_messages(system: ChatMessage, question: str, facts: str, passages: str) -> list[ChatMessage]:
    """The facts and passages close the system message (after its stable part, so the prefix
    cache still serves the rules and the profile); the user message is the question alone.
    Small models echo a template that ends the user message, but answer a plain question."""
    grounding = load_prompt("answer").render(facts=facts, passages=passages)
    return [
        ChatMessage(role="system", content=f"{system.content}\n\n{grounding}"),
        ChatMessage(role="user", content=load_prompt("question").render(question=question)),
    ]


def instruction_texts() -> list[str]:
    """The fixed instruction texts of the prompt, without their placeholders."""
    texts = [load_prompt(n).text for n in ("system", "question")]
    return [part.strip() for text in texts for part in re.split(r"\{[a-z_]+\}", text) if part.strip()]


def prompt_version() -> str:
    return "+".join(load_prompt(n).version for n in ("system", "client_profile", "answer", "question"))
