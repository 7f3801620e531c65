"""The per-sentence check a streamed draft passes before any of it is shown.

Composes the output rails for one sentence: banned claims, an above-class recommendation by the
cue rules, a leaked prompt (each stops the stream), personal data (masked), a figure found in no evidence
(the sentence is dropped), a sentence a learned backstop reads as a banned claim the patterns
missed (dropped)
and a research-based sentence without its source (attributed).
The above-class backstop reads windows of sentences, not one (a sentence naming an above-class
product and those after it naming none): :func:`above_class_holdback` holds such a window back
until it is complete, as the whole-reply check reads it.
Whole-reply rules (the suitability statement) are applied by the turn at the end.
"""

from __future__ import annotations

from guardrails.claim_judge import ClaimJudge
from guardrails.claim_scorer import BACKED_UP, SentenceEncoder
from guardrails.grounding import evidence_set, unsupported_figures
from guardrails.models import RuleHit
from guardrails.output_rails import ReplyContext, check_reply, likely_above_class, masked_for_log
from guardrails.pii import mask_pii
from guardrails.policy import Policy
from guardrails.recommendation import named_products
from guardrails.recommendation_scorer import recommendation_scorer_for
from guardrails.streaming import Holdback, SentenceCheck, SentenceDecision
from retrieval.citations import attribute_research
from retrieval.models import Hit

WHOLE_REPLY_RULES = frozenset({"suitability.not_stated"})


def _masked_span(hit: RuleHit, ctx: ReplyContext) -> RuleHit:
    """A hit whose span (often the whole sentence) carries no other client's identifier and no
    personal data: the rules are logged and shown to the client, a stopped sentence is not."""
    return hit.model_copy(update={"span": masked_for_log(hit.span, ctx.other_clients)}) if hit.span else hit


def sentence_check(
    ctx: ReplyContext,
    policy: Policy,
    evidence_texts: list[str],
    hits: list[Hit],
    judge: ClaimJudge | None = None,
    encoder: SentenceEncoder | None = None,
) -> SentenceCheck:
    """A check for :class:`guardrails.streaming.SentenceGate` bound to one turn's facts (and,
    when given, the language model that reviews the claim backstops' grey bands and the embedder
    the semantic backstops read)."""
    evidence = evidence_set(evidence_texts)

    def check(sentence: str, released: str) -> SentenceDecision:
        found = [
            _masked_span(h, ctx)
            for h in check_reply(sentence, ctx, policy, judge, encoder, above_class_backstop=False)
            if h.rule_id not in WHOLE_REPLY_RULES
        ]
        if any(h.severity in ("block", "escalate") for h in found):
            return SentenceDecision("stop", hits=found)
        if any(h.rule_id in BACKED_UP for h in found):
            return SentenceDecision("drop", hits=found)
        text = sentence
        if any(h.rule_id == "privacy.pii" for h in found):
            text, _ = mask_pii(text)
        missing = unsupported_figures(text, evidence)
        if missing:
            detail = "、".join(f.text for f in missing)
            return SentenceDecision("drop", hits=[*found, policy.hit("grounding.unsupported_figure", detail, text.strip())])
        text, attributed = attribute_research(text, hits)
        if attributed:
            found.append(policy.hit("grounding.research_attribution", "、".join(attributed)))
        return SentenceDecision("release", text=text, hits=found)

    return check


class _AboveClassWindow:
    """The above-class backstop as a :class:`guardrails.streaming.Holdback`."""

    def __init__(self, ctx: ReplyContext, policy: Policy, encoder: SentenceEncoder | None) -> None:
        self._ctx, self._policy, self._encoder = ctx, policy, encoder
        self._unsuitable = [s for s in ctx.suitability if not s.is_suitable]
        self._suitable = [s for s in ctx.suitability if s.is_suitable]
        self._products = named_products(ctx.suitability, ctx.product_aliases)
        self._above = named_products(self._unsuitable, ctx.product_aliases)

    def opens(self, sentence: str) -> bool:
        return any(p.named_in(sentence) for p in self._products)

    def holds(self, sentence: str) -> bool:
        return any(p.named_in(sentence) for p in self._above)

    def settle(self, window: str) -> list[RuleHit]:
        hit = likely_above_class(window, self._unsuitable, self._suitable, self._ctx.product_aliases, self._policy, self._encoder)
        return [_masked_span(hit, self._ctx)] if hit else []


def above_class_holdback(ctx: ReplyContext, policy: Policy, encoder: SentenceEncoder | None = None) -> Holdback | None:
    """The stream's holdback for the above-class backstop, or None when the turn has no product
    above the client's class (or no backstop ships): then nothing is ever held back."""
    if recommendation_scorer_for(encoder) is None or all(s.is_suitable for s in ctx.suitability):
        return None
    return _AboveClassWindow(ctx, policy, encoder)
