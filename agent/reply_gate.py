"""The per-sentence check a streamed draft passes before any of it is shown.

Composes the output rails for one sentence: banned claims, an above-class recommendation, a
leaked prompt (each stops the stream), personal data (masked), a figure found in no evidence
(the sentence is dropped), a sentence a learned backstop reads as a banned claim the patterns
missed (dropped)
and a research-based sentence without its source (attributed).
Whole-reply rules (the suitability statement) are applied by the turn at the end.
"""

from __future__ import annotations

from guardrails.claim_judge import ClaimJudge
from guardrails.claim_scorer import BACKED_UP, SentenceEncoder
from guardrails.grounding import evidence_set, unsupported_figures
from guardrails.models import RuleHit
from guardrails.output_rails import ReplyContext, check_reply, masked_for_log
from guardrails.pii import mask_pii
from guardrails.policy import Policy
from guardrails.streaming import SentenceCheck, SentenceDecision
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
        found = [_masked_span(h, ctx) for h in check_reply(sentence, ctx, policy, judge, encoder) if h.rule_id not in WHOLE_REPLY_RULES]
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
