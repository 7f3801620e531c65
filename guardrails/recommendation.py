"""Which sentences of a reply recommend a product that does not match the client.

A sentence recommends an above-class product when it points at that product (its name, short
name, alias or code, or a deictic such as 这只 when the reply is about it) and carries a
recommendation cue (推荐, 建议您买, 值得, 可以试试, I recommend ...) that is neither negated
("不建议"), nor part of a question, nor next to a statement of the mismatch ("超出您的风险等级").
Pure functions over the policy's phrase lists; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guardrails.claims import is_negated
from guardrails.models import SuitabilityResult
from guardrails.policy import Policy

SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
DEICTIC = re.compile(r"这只|这支|这款|这个产品|这个基金|该基金|该产品|此基金|此产品|它")
# A sentence naming one of these (and no unsuitable product) is about something else.
OTHER_TARGETS = re.compile(r"货币基金|货基|债券基金|纯债|债基|银行存款|国债|低风险产品|R1|R2|稳健类")


@dataclass(frozen=True)
class NamedProduct:
    """A product of the turn and every name a reply may call it by."""

    code: str
    names: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        return self.code in text or any(n in text for n in self.names)


def named_products(unsuitable: list[SuitabilityResult], aliases: dict[str, list[str]]) -> list[NamedProduct]:
    """Name lists for the unsuitable products, longest names first; names under 2 characters
    are dropped (they would match inside ordinary words)."""
    out = []
    for result in unsuitable:
        names = {result.product_name, *aliases.get(result.product_code, [])}
        out.append(NamedProduct(result.product_code, tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))))
    return out


def _cue(sentence: str, policy: Policy) -> re.Match[str] | None:
    """The first recommendation cue that is not negated and not a question about suitability."""
    if sentence.endswith(("？", "?")):
        return None
    for pattern in policy.compiled_recommendation_cues():
        for match in pattern.finditer(sentence):
            if is_negated(sentence, match.start(), policy.negations):
                continue
            if any(n in sentence[: match.start()] for n in policy.neutralisers):
                continue
            return match
    return None


def _points_at(sentence: str, product: NamedProduct, others_named: bool, reply_names_it: bool) -> bool:
    if product.named_in(sentence):
        return True
    if others_named:  # the sentence is about a different, named product
        return False
    if DEICTIC.search(sentence):
        return True
    # An unnamed recommendation in a reply about this product, unless it points elsewhere.
    return reply_names_it and not OTHER_TARGETS.search(sentence)


def find_above_class_recommendation(
    text: str,
    unsuitable: list[SuitabilityResult],
    policy: Policy,
    aliases: dict[str, list[str]] | None = None,
    suitable_names: list[str] | None = None,
) -> str | None:
    """The first sentence recommending an unsuitable product, if any."""
    products = named_products(unsuitable, aliases or {})
    if not products:
        return None
    others = [n for n in suitable_names or [] if len(n) >= 2]
    # A reply that names no product at all still concerns the turn's product.
    reply_names = {p.code: p.named_in(text) or not any(q.named_in(text) for q in products) for p in products}
    for raw in SENTENCE.findall(text):
        sentence = str(raw).strip()
        if not sentence or any(marker in sentence for marker in policy.mismatch_markers):
            continue
        if _cue(sentence, policy) is None:
            continue
        for product in products:
            other_named = any(n in sentence for n in others) and not product.named_in(sentence)
            if _points_at(sentence, product, other_named, reply_names[product.code]):
                return sentence
    return None
