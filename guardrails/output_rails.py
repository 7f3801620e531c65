"""Output rails: check a drafted reply, decide the verdict, and add the disclosures."""

from __future__ import annotations

import bisect
import itertools
import re

from pydantic import BaseModel, Field

from guardrails.claim_judge import ClaimJudge, review, review_pattern
from guardrails.claim_scorer import SentenceEncoder, scorer_for
from guardrails.claims import claim_spans, find_claims
from guardrails.models import Action, RuleHit, SuitabilityResult, Verdict
from guardrails.other_client import OtherClients
from guardrails.pii import find_pii, mask_pii
from guardrails.policy import Policy
from guardrails.recommendation import find_above_class_recommendation
from guardrails.recommendation_scorer import recommendation_scorer_for
from guardrails.scope import is_question

ACTION_ORDER: dict[Action, int] = {"pass": 0, "rewrite": 1, "block": 2, "escalate": 3}


ECHO_WINDOW = 12
SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


class ReplyContext(BaseModel):
    """What the rails need to know about the turn a reply belongs to."""

    suitability: list[SuitabilityResult] = Field(default_factory=list)
    canary: str | None = None
    instructions: list[str] = Field(default_factory=list, description="prompt instruction texts a reply must never reproduce")
    product_aliases: dict[str, list[str]] = Field(default_factory=dict, description="product code to its short names and aliases")
    other_clients: OtherClients | None = Field(default=None, description="every other client's identifiers (rule privacy.other_client)")


def echoed_instruction(text: str, instructions: list[str], window: int = ECHO_WINDOW) -> str | None:
    """A run of ``window`` characters that the reply copies from the prompt's instructions.

    Catches a leaked system prompt even without the canary, and a small model that parrots its
    instructions instead of answering."""
    shingles = {s[i : i + window] for s in instructions for i in range(len(s) - window + 1)}
    return next((text[i : i + window] for i in range(len(text) - window + 1) if text[i : i + window] in shingles), None)


def canary_in(text: str, canary: str) -> bool:
    """The canary in ``text``, also when spaced or punctuated apart ("C A N A R Y - 7 f ...")."""
    squeezed = re.sub(r"[\s\-_.·,，、]", "", text).lower()
    return canary in text or re.sub(r"[\s\-_.·,，、]", "", canary).lower() in squeezed


BACKSTOP_LABELS = {
    "claims.guaranteed_return": "疑似承诺收益",
    "claims.certainty": "疑似确定性判断",
    "claims.exaggerated_performance": "疑似夸大历史业绩",
    "claims.trade_on_behalf": "疑似代客操作",
}


def scored_sentences(text: str, policy: Policy) -> list[str]:
    """The sentences the claim backstops read: the reply cut where the stream cuts it, without the
    questions that ask rather than assert ("行长买了就一定不亏吗？"), which the patterns skip too."""
    tags = policy.compiled_tag_questions()
    return [s for s in SENTENCE_END.split(text) if s.strip() and not is_question(s.strip(), 0, policy.rhetorical_markers, tags)]


def likely_claims(
    text: str,
    policy: Policy,
    skip: frozenset[str] = frozenset(),
    judge: ClaimJudge | None = None,
    encoder: SentenceEncoder | None = None,
) -> list[RuleHit]:
    """Sentences a learned backstop reads as making its rule's claim (rules ``claims.likely_*``).

    A rule in ``skip`` (its patterns already fired) is not scored: the backstop only catches
    what the patterns missed. One hit per flagged sentence and rule. With ``encoder`` (the
    retrieval embedder the semantic backstops were trained with), the backstops read the
    sentence's embedding as well as its n-grams. For a rule the policy's ``claim_judge`` has a
    band for, a sentence scored in the band is decided with ``judge``'s reading too (see
    ``guardrails.claim_judge``); a flag it withdraws is logged as ``claims.judge_withdrawn`` (info)."""
    scorer = scorer_for(encoder)
    rules = {rule: model for rule, model in (scorer.models.items() if scorer else []) if rule not in skip}
    if scorer is None or not rules:
        return []
    hits = []
    for sentence in scored_sentences(text, policy):
        vector = scorer.features(sentence)
        embedding = encoder.embed_query(sentence) if encoder is not None and scorer.embedder else None
        for rule, model in rules.items():
            scored = scorer.score(sentence, rule, vector, embedding)
            drivers = "、".join(scored.drivers)
            score = f"评分{scored.probability:.2f}，阈值{model.threshold}"
            detail = f"{BACKSTOP_LABELS[rule]}：{score}（评分器{scorer.version}；主要片段：{drivers}）"
            band = policy.claim_judge.band(rule) if policy.claim_judge else None
            verdict = review(sentence, scored.probability, model.threshold, band, judge)
            if verdict.probability is not None and judge is not None:
                detail += f"；复核模型{judge.name}判定该句{BACKSTOP_LABELS[rule].removeprefix('疑似')}的概率{verdict.probability:.2f}"
            if verdict.flagged:
                hits.append(policy.hit(model.backstop, detail=detail, span=sentence.strip()))
            elif verdict.review == "withdraw":
                hits.append(policy.hit("claims.judge_withdrawn", detail=detail, span=sentence.strip()))
    return hits


def reviewed_patterns(
    text: str, hits: list[RuleHit], policy: Policy, judge: ClaimJudge | None, encoder: SentenceEncoder | None = None
) -> list[RuleHit]:
    """The patterns' ``hits``, each re-read where its rule's judge band reviews patterns (see
    ``guardrails.claim_judge.review_pattern``): a hit becomes one ``claims.judge_withdrawn`` note
    (info) per sentence holding a match of its rule when the judge withdraws every one of those
    sentences; otherwise, or when a match runs across a sentence cut, it stands. The cut-offs
    were chosen with the semantic backstop (``encoder`` given, as the server does); without it
    the n-gram backstop scores."""
    if judge is None or policy.claim_judge is None:
        return hits
    out: list[RuleHit] = []
    for hit in hits:
        notes = _withdrawn(text, hit, policy, judge, encoder)
        out += notes if notes else [hit]
    return out


def pattern_sentences(text: str, rule: str, policy: Policy) -> list[str] | None:
    """The sentences (as :func:`likely_claims` cuts them) that hold ``rule``'s pattern matches in
    ``text``; None when a match runs across a sentence cut, which no single sentence carries."""
    sentences = SENTENCE_END.split(text)
    bounds = list(itertools.accumulate(len(s) for s in sentences))
    held: list[int] = []
    for start, end in claim_spans(text, policy, rule):
        index = bisect.bisect_right(bounds, start)
        if end > bounds[index]:
            return None
        held += [index] if index not in held else []
    return [sentences[i] for i in sorted(held)]


def _withdrawn(text: str, hit: RuleHit, policy: Policy, judge: ClaimJudge, encoder: SentenceEncoder | None) -> list[RuleHit]:
    """One note per sentence holding a match of ``hit``'s rule when the judge withdraws every one
    of them; empty when any stands, when a match runs across a sentence cut, or when the rule's
    band does not review patterns. The sentences are the ones :func:`likely_claims` reads, so
    the judge answers a second look from its cache."""
    scorer = scorer_for(encoder)
    band = policy.claim_judge.band(hit.rule_id) if policy.claim_judge else None
    if scorer is None or band is None or band.pattern_review_under is None or hit.rule_id not in scorer.models:
        return []
    notes = []
    claim = BACKSTOP_LABELS[hit.rule_id].removeprefix("疑似")
    for sentence in pattern_sentences(text, hit.rule_id, policy) or []:
        embedding = encoder.embed_query(sentence) if encoder is not None and scorer.embedder else None
        scored = scorer.score(sentence, hit.rule_id, embedding=embedding)
        verdict = review_pattern(sentence, scored.probability, band, judge)
        if verdict.review != "withdraw" or verdict.probability is None:
            return []
        detail = (
            f"{policy.rules[hit.rule_id].description}：模式规则命中该句，评分器{scorer.version}评分{scored.probability:.2f}"
            f"低于{band.pattern_review_under}，复核模型{judge.name}判定该句{claim}的概率{verdict.probability:.2f}"
        )
        notes.append(policy.hit("claims.judge_withdrawn", detail=detail, span=sentence.strip()))
    return notes


def likely_above_class(
    text: str,
    unsuitable: list[SuitabilityResult],
    suitable: list[SuitabilityResult],
    aliases: dict[str, list[str]],
    policy: Policy,
    encoder: SentenceEncoder | None = None,
) -> RuleHit | None:
    """A window of sentences (see ``guardrails.recommendation_scorer.windows``) the learned
    backstop reads as actively recommending an above-class product the cue rules missed: a hit of
    rule ``suitability.above_class`` itself (it blocks like the cues). With ``encoder``, the
    semantic backstop reads the window's embedding too."""
    scorer = recommendation_scorer_for(encoder)
    flag = scorer.flag(text, unsuitable, aliases, suitable, encoder) if scorer else None
    if scorer is None or flag is None:
        return None
    score = f"评分{flag.scored.probability:.2f}≥{scorer.threshold}"
    name = flag.product.names[0] if flag.product.names else flag.product.code
    detail = f"疑似主动推介超出客户风险等级的产品{name}：{score}（推介评分器{scorer.version}；主要片段：{'、'.join(flag.scored.drivers)}）"
    return policy.hit("suitability.above_class", detail=detail, span=flag.sentence)


def check_reply(
    text: str,
    ctx: ReplyContext,
    policy: Policy,
    judge: ClaimJudge | None = None,
    encoder: SentenceEncoder | None = None,
    *,
    above_class_backstop: bool = True,
) -> list[RuleHit]:
    """Every rule the drafted ``text`` breaks (and the info notes of the claim judge's reviews).
    ``judge`` and ``encoder``: the models the claim backstops, and the judge's review of the claim
    patterns, may consult (see :func:`likely_claims` and :func:`reviewed_patterns`). Without
    ``above_class_backstop`` the learned above-class backstop is left out: the stream applies it
    to whole windows of sentences instead (``agent.reply_gate``)."""
    hits = reviewed_patterns(text, find_claims(text, policy), policy, judge, encoder)
    hits += likely_claims(text, policy, skip=frozenset(h.rule_id for h in hits), judge=judge, encoder=encoder)
    unsuitable = [s for s in ctx.suitability if not s.is_suitable]
    if unsuitable:
        suitable = [s for s in ctx.suitability if s.is_suitable]
        sentence = find_above_class_recommendation(text, unsuitable, policy, ctx.product_aliases, suitable)
        if sentence:
            hits.append(policy.hit("suitability.above_class", span=sentence))
        elif above_class_backstop and (backstop := likely_above_class(text, unsuitable, suitable, ctx.product_aliases, policy, encoder)):
            hits.append(backstop)
        elif not any(marker in text for marker in policy.mismatch_markers):
            hits.append(policy.hit("suitability.not_stated"))
    leaked = any(h.rule_id == "privacy.system_prompt_leak" for h in hits)
    if ctx.canary and canary_in(text, ctx.canary):
        hits = [h for h in hits if h.rule_id != "privacy.system_prompt_leak"]
        hits.append(policy.hit("privacy.system_prompt_leak", span=ctx.canary))
    elif not leaked and (echo := echoed_instruction(text, ctx.instructions)):
        hits.append(policy.hit("privacy.system_prompt_leak", detail="回复复述了提示词中的指令", span=echo))
    if find_pii(text):
        hits.append(policy.hit("privacy.pii"))
    if ctx.other_clients and (kinds := ctx.other_clients.find(text)):
        hits.append(policy.hit("privacy.other_client", detail=ctx.other_clients.detail(kinds)))
    return hits


def masked_for_log(text: str, other_clients: OtherClients | None) -> str:
    """``text`` as the log may keep it (a raw draft, a rule's span): every other client's
    identifier replaced by its kind, then personal data masked as everywhere else."""
    if other_clients:
        text = other_clients.mask(text)
    return mask_pii(text)[0]


def decide(hits: list[RuleHit], policy: Policy) -> Verdict:
    """The strongest action any hit asks for; no hit means pass."""
    action: Action = "pass"
    for hit in hits:
        wanted: Action = "pass" if hit.severity == "info" else hit.severity
        if ACTION_ORDER[wanted] > ACTION_ORDER[action]:
            action = wanted
    return Verdict(action=action, rules=hits, policy_version=policy.version)


def with_disclosures(text: str, policy: Policy, *, advice: bool = True) -> str:
    """The reply as shown: the text, the risk and data lines on advice, and the AI label."""
    lines = [text.strip()]
    if advice:
        lines += [policy.disclosure.risk_line, policy.disclosure.data_line]
    lines.append(policy.disclosure.ai_label)
    return "\n\n".join(lines)
