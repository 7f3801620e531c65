"""Which statement of a reply actively recommends a product that does not match the client.

Each statement (cut at full stops and semicolons) is read with every product name, short name,
alias and code replaced by one mark (PRODUCT), so the policy's cue patterns measure distances
without product names in the way ("建议您Ⓟ和Ⓟ各配一半", "三成Ⓟ"). A statement is cut again at a
contrast (但/不过), so "虽然R4比您高，但我还是建议您配置" is judged by what follows the 但.

A part of a statement recommends an unsuitable product when it carries a recommendation cue
(推荐, 建议您买, 值得, 适合您, 三成Ⓟ, 帮您挑了, I'd suggest ...) that is neither negated, nor
quoted (您说"想买Ⓟ": someone else's words), nor in a question, nor after a neutraliser (a
condition, the client's own choice, someone else's advice), the part does not decline the product
("超出您的等级", "不在推荐范围内", the warning-and-confirm procedure), and the cue points at the
product. In a reply that declines nothing, weaker cues
(是不错的入场时机, 一定要参与, would make sense) count too. The cue points at the product when
the product is named in the cue's clause, or else is the nearest product named in the statement,
or else is the product the reply is talking about.
Pure functions over the policy's phrase lists; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from guardrails.models import SuitabilityResult
from guardrails.policy import Policy
from guardrails.scope import CLAUSE_BREAK, in_quotes, is_negated, statements

PRODUCT = "Ⓟ"
CONTRAST = re.compile(r"但是|但|不过|可是|然而|(?i:\bbut\b)")
MIN_NAME = 2  # shorter names would match inside ordinary words


@dataclass(frozen=True)
class NamedProduct:
    """A product of the turn and every name a reply may call it by."""

    code: str
    names: tuple[str, ...]
    suitable: bool = False

    def named_in(self, text: str) -> bool:
        return self.code in text or any(n in text for n in self.names)


def named_products(results: list[SuitabilityResult], aliases: dict[str, list[str]]) -> list[NamedProduct]:
    """Name lists for the turn's products, longest names first."""
    out = []
    for result in results:
        names = {result.product_name, *aliases.get(result.product_code, [])}
        ordered = tuple(sorted((n for n in names if len(n) >= MIN_NAME), key=len, reverse=True))
        out.append(NamedProduct(result.product_code, ordered, result.is_suitable))
    return out


def mark_products(text: str, products: list[NamedProduct]) -> tuple[str, list[tuple[int, NamedProduct]]]:
    """``text`` with each product name replaced by PRODUCT, and the product at each mark."""
    by_name = {name: p for p in products for name in (p.code, *p.names)}
    if not by_name:
        return text, []
    pattern = re.compile("|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True)))
    parts: list[str] = []
    marks: list[tuple[int, NamedProduct]] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(text[last : match.start()])
        marks.append((sum(map(len, parts)), by_name[match.group(0)]))
        parts.append(PRODUCT)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts), marks


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    begin = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, pos)), default=0)
    end = CLAUSE_BREAK.search(text, pos)
    return begin, end.start() if end else len(text)


def _live_cues(statement: str, begin: int, end: int, policy: Policy, soft: bool) -> Iterator[re.Match[str]]:
    """Each recommendation cue in ``statement[begin:end]`` that is not negated, not in a
    question and not after a neutraliser; with ``soft``, the weaker cues too."""
    if statement.rstrip().endswith(("？", "?")) and not any(p.search(statement) for p in policy.compiled_leading_questions()):
        return
    patterns = policy.compiled_recommendation_cues() + (policy.compiled_soft_cues() if soft else [])
    for pattern in patterns:
        for match in pattern.finditer(statement, begin, end):
            if is_negated(statement, match.start(), policy.negations, policy.false_negations) or in_quotes(statement, match.start()):
                continue
            if any(n.search(statement, 0, match.start()) for n in policy.compiled_neutralisers()):
                continue
            yield match


def _target(
    statement: str, cue: re.Match[str], marks: list[tuple[int, NamedProduct]], topic: NamedProduct | None, policy: Policy
) -> NamedProduct | None:
    """The product a cue points at: named in its clause; none when its clause names another kind of
    product (货币基金, 等级内的); else the nearest named in the statement; else the topic."""
    begin, end = _clause_bounds(statement, cue.start())
    in_clause = [p for pos, p in marks if begin <= pos < end]
    if in_clause:
        return next((p for p in in_clause if not p.suitable), in_clause[0])
    if any(t.search(statement, begin, end) for t in policy.compiled_other_targets()):
        return None  # the clause names what it recommends, and that is not one of the products
    before = [p for pos, p in marks if pos < cue.start()]
    after = [p for pos, p in marks if pos >= cue.end()]
    if before or after:
        return before[-1] if before else after[0]
    return topic


def _declines(part: str, policy: Policy) -> bool:
    return any(p.search(part) for p in policy.compiled_declines())


def find_above_class_recommendation(
    text: str,
    unsuitable: list[SuitabilityResult],
    policy: Policy,
    aliases: dict[str, list[str]] | None = None,
    suitable: list[SuitabilityResult] | None = None,
) -> str | None:
    """The first statement recommending an unsuitable product, if any."""
    products = named_products(unsuitable, aliases or {})
    if not products:
        return None
    products += named_products(suitable or [], aliases or {})
    _, all_marks = mark_products(text, products)
    # The reply's topic before any product is named: the first one it names, else the turn's own.
    topic: NamedProduct | None = all_marks[0][1] if all_marks else products[0]
    # A reply that nowhere declines the product or states the mismatch is read with the weaker cues too.
    soft = not _declines(text, policy)
    for raw in statements(text):
        statement, marks = mark_products(raw, products)
        bounds = [0, *(m.start() for m in CONTRAST.finditer(statement)), len(statement)]
        for begin, end in pairwise(bounds):
            if begin == end or _declines(statement[begin:end], policy):
                continue
            for cue in _live_cues(statement, begin, end, policy, soft):
                target = _target(statement, cue, marks, topic, policy)
                if target is not None and not target.suitable:
                    return raw
        if marks:
            topic = marks[-1][1]
    return None
