"""One chat turn, end to end: validate, ground, draft, guard, log, answer."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from agent import context, memory
from agent.entities import find_products
from agent.errors import EmptyMessage, MessageTooLong, ModelTimeout, ModelUnavailable, UnknownClient, UnknownProduct
from agent.intent import IntentClassifier, classify
from agent.llm.protocol import ChatModel, GenerationParams
from agent.models import Disclosure, TurnRequest, TurnResult
from agent.planner import Lead, Plan, plan_turn
from agent.reply_gate import above_class_holdback, sentence_check
from agent.retention import sealed_originals
from agent.roster import RosterCache
from agent.safe_answer import build_safe_answer
from agent.tokens import count_tokens
from agent.toolbox import ToolOutput, run_tools
from core.clock import Clock, SystemClock
from core.errors import NotFound
from core.settings import Settings
from guardrails.claim_judge import ClaimJudge
from guardrails.claim_scorer import SentenceEncoder
from guardrails.injection import scan_passage
from guardrails.input_rails import screen_input
from guardrails.models import RuleHit, SuitabilityResult, Verdict
from guardrails.output_rails import ReplyContext, decide, masked_for_log, with_disclosures
from guardrails.pii_retention import RetentionPolicy, load_retention_policy
from guardrails.pii_vault import PiiCipher
from guardrails.policy import Policy
from guardrails.streaming import SentenceGate, complete_part
from guardrails.suitability import check_suitability, risk_rank
from prompts import load_prompt
from records import repository as repo
from records.leads import create_lead, list_leads
from records.pii_keys import pii_keys
from records.pii_originals import NewOriginal, keep_originals
from records.repository import ClientView, HoldingView, ProductView, TurnRecord
from retrieval.citations import check_citations
from retrieval.conflicts import Conflict, conflict_notes
from retrieval.embeddings import Embedder
from retrieval.models import Citation, Hit
from retrieval.search import SearchFilter

SERVICE_NAME = "robo-advisor"
TextSink = Callable[[str], None]
# A message the input rails refuse: scope is the classifier's out_of_scope; attacks keep their category.
SCREENED_INTENT = {"scope": "out_of_scope", "injection": "injection", "jailbreak": "jailbreak"}
SUITABILITY_INTENTS = frozenset({"product_suitability", "trade_request"})


class Searcher(Protocol):
    @property
    def embedder(self) -> Embedder: ...

    @property
    def conflicts(self) -> list[Conflict]: ...

    def refresh(self) -> None: ...

    def answerable(self, query: str, hits: list[Hit], min_similarity: float) -> tuple[bool, list[str]]: ...

    def search(self, query: str, k: int, search_filter: SearchFilter | None = None) -> list[Hit]: ...


@dataclass
class AgentDeps:
    """Everything a turn touches, passed in (never global)."""

    model: ChatModel
    retriever: Searcher
    sessions: sessionmaker[Session]
    policy: Policy
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    intents: IntentClassifier | None = None  # None: rules only (the embedding model is built once at start-up)
    retention: RetentionPolicy = field(default_factory=load_retention_policy)
    pii_cipher: PiiCipher | None = None  # None: from ADVISOR_PII_KEY, or the development key file
    claim_judge: ClaimJudge | None = None  # None: the claim backstops decide their grey bands alone
    claim_encoder: SentenceEncoder | None = None  # None: the claim backstops read n-grams only (no embedding)
    cipher: PiiCipher = field(init=False)
    roster: RosterCache = field(init=False)

    def __post_init__(self) -> None:
        self.cipher = self.pii_cipher or PiiCipher(pii_keys(self.settings))
        self.roster = RosterCache(self.sessions, self.clock, timedelta(seconds=self.settings.roster_max_age_s))


@dataclass
class _Grounding:
    client: ClientView
    holdings: list[HoldingView]
    catalog: dict[str, ProductView]
    products: list[ProductView]
    history: list[TurnRecord] = field(default_factory=list)
    extra_facts: list[str] = field(default_factory=list)


class Timer:
    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks[name] = round((now - self._last) * 1000, 1)
        self._last = now


def validate_message(message: str, settings: Settings) -> str:
    text = message.strip()
    if not text:
        raise EmptyMessage("empty message")
    if len(text) > settings.max_input_chars or count_tokens(text) > settings.max_input_tokens:
        raise MessageTooLong(
            f"message over budget ({len(text)} chars)",
            public_message=f"消息过长，请精简到约{settings.max_input_tokens}个词元（约{settings.max_input_chars}字）以内",
        )
    return text


def _ground(session: Session, request: TurnRequest, text: str) -> _Grounding:
    client = repo.get_client(session, request.client_id)
    if client is None:
        raise UnknownClient(f"client {request.client_id!r} not found")
    history: list[TurnRecord] = []
    if request.conversation_id:
        if repo.conversation_owner(session, request.conversation_id) != client.id:
            raise NotFound(f"conversation {request.conversation_id} not found for this client", public_message="未找到该会话")
        history = repo.get_turns(session, request.conversation_id)
    catalog = {p.code: p for p in repo.list_products(session)}
    named = find_products(text, list(catalog.values()))
    products = memory.resolve_follow_up(text, named, memory.products_by_turn(history, list(catalog.values())))
    if request.product_code:
        focus = catalog.get(request.product_code)
        if focus is None:
            raise UnknownProduct(f"product {request.product_code!r} not found")
        products = [focus] + [p for p in products if p.code != focus.code]
    return _Grounding(client, repo.get_holdings(session, client.id), catalog, products, history)


def _recent_failures(history: list[TurnRecord]) -> int:
    """How many of the latest turns in a row gave no real answer (blocked or nothing found)."""
    count = 0
    for turn in reversed(history):
        if turn.verdict != "block" and not any(r.get("rule_id") == "retrieval.no_answer" for r in turn.rules):
            break
        count += 1
    return count


def _retrieve(deps: AgentDeps, text: str, products: list[ProductView]) -> list[Hit]:
    k = deps.settings.retrieval_top_k
    public = SearchFilter(audiences=["public"])
    hits: list[Hit] = []
    for product in products[:2]:
        if product.doc_id:
            hits += deps.retriever.search(text, 2, SearchFilter(audiences=["public"], doc_ids=[product.doc_id]))
    hits += deps.retriever.search(text, k, public)
    seen: set[str] = set()
    unique = [h for h in hits if not (h.chunk.chunk_id in seen or seen.add(h.chunk.chunk_id))]  # type: ignore[func-returns-value]
    return unique[: k + 1]


def _suitability(g: _Grounding, deps: AgentDeps) -> list[SuitabilityResult]:
    return [
        check_suitability(
            product_code=p.code,
            product_name=p.name,
            product_risk=p.risk_level,
            client_class=g.client.risk_class,
            investor_type=g.client.investor_type,
            assessment_expires=g.client.risk_expires_at,
            today=deps.clock.today(),
            initiated_by="client",
        )
        for p in g.products[:3]
    ]


def _draft(
    deps: AgentDeps,
    g: _Grounding,
    question: str,
    suitability: list[SuitabilityResult],
    hits: list[Hit],
    timings: dict[str, float],
    emit: TextSink,
) -> tuple[str | None, list[Hit], RuleHit | None, SentenceGate]:
    """Stream the model's draft through the sentence gate; ``emit`` gets each released sentence.

    The draft returned is the raw one as the log keeps it for compliance: whole, but with other
    clients' identifiers and personal data masked (a blocked sentence is in it, the unfinished
    piece streamed after it is not)."""
    s = deps.settings
    passages, used = context.passages_block(hits, s.context_token_budget)
    messages = context.answer_messages(
        context.system_message(g.client, g.holdings, g.catalog, s.prompt_canary),
        question,
        context.facts_block(
            suitability,
            g.products[:3],
            [*conflict_notes((h.chunk.meta.doc_id for h in used), deps.retriever.conflicts), *g.extra_facts],
        ),
        passages,
    )
    ctx = ReplyContext(
        suitability=suitability,
        canary=s.prompt_canary,
        instructions=context.instruction_texts(),
        product_aliases={p.code: [n for n in (p.short_name, *p.aliases) if n] for p in g.products},
        other_clients=deps.roster.others_of(g.client.id),
    )
    gate = SentenceGate(
        sentence_check(ctx, deps.policy, [m.content for m in messages], used or hits, deps.claim_judge, deps.claim_encoder),
        above_class_holdback(ctx, deps.policy, deps.claim_encoder),
    )
    params = GenerationParams(max_tokens=s.max_answer_tokens, temperature=s.temperature, seed=s.seed, timeout_s=s.generation_timeout_s)
    started = time.perf_counter()
    pieces: list[str] = []
    try:
        for piece in deps.model.stream(messages, params):
            if not pieces:
                timings["first_token"] = round((time.perf_counter() - started) * 1000, 1)
            pieces.append(piece)
            for sentence in gate.feed(piece):
                emit(sentence)
            if gate.stopped:
                # a blocking rule fired: nothing more of this draft will be shown, nor logged unchecked
                return masked_for_log(complete_part("".join(pieces)).strip(), ctx.other_clients), used, None, gate
        for sentence in gate.close():
            emit(sentence)
        return masked_for_log("".join(pieces).strip(), ctx.other_clients), used, None, gate
    except (ModelTimeout, ModelUnavailable) as exc:
        for sentence in gate.abort():  # a window held back is still settled, and logged with its rule
            emit(sentence)
        failure = RuleHit(rule_id="model.unavailable", severity="block", version=1, detail=str(exc))
        return (masked_for_log("".join(pieces).strip(), ctx.other_clients) or None), used, failure, gate


def _risk_level(products: list[ProductView]) -> str | None:
    levels = [p.risk_level for p in products]
    return max(levels, key=risk_rank) if levels else None


def _finish(
    gate: SentenceGate,
    failure: RuleHit | None,
    suitability: list[SuitabilityResult],
    g: _Grounding,
    hits: list[Hit],
    deps: AgentDeps,
) -> tuple[str, Verdict]:
    """The answer shown: the released sentences, then what the whole reply still needs (the
    suitability statement, or the safe answer when the draft was stopped or yielded nothing)."""
    policy = deps.policy
    rules = [*gate.hits, *([failure] if failure else [])]
    shown = gate.text.strip()
    unsuitable = [r for r in suitability if not r.is_suitable]
    if gate.stopped or failure or not shown:
        safe = build_safe_answer(suitability, g.products[:3], hits)
        verdict = decide(rules, policy) if rules else Verdict(action="block", rules=[], policy_version=policy.version)
        if failure and verdict.action == "pass":
            verdict = Verdict(action="block", rules=rules, policy_version=policy.version)
        return (f"{shown}\n\n{safe}" if shown else safe), verdict
    if unsuitable and not any(marker in shown for marker in policy.mismatch_markers):
        rules.append(policy.hit("suitability.not_stated"))
        shown = f"{shown}\n\n{''.join(r.reason for r in unsuitable)}"
    return shown, decide(rules, policy)


@dataclass
class _Understanding:
    """What the turn knows before drafting: intent, verdicts, plan, tool results, passages."""

    intent: str
    plan: Plan = field(default_factory=Plan)
    tool_outputs: list[ToolOutput] = field(default_factory=list)
    suitability: list[SuitabilityResult] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    answerable: bool = False
    unknown: list[str] = field(default_factory=list)


def _understand(deps: AgentDeps, g: _Grounding, question: str, timer: Timer) -> _Understanding:
    intent = memory.carried_intent(question, g.history) or classify(question, has_product=bool(g.products), classifier=deps.intents)
    # A verdict only where the client considers buying; a research question about 茅台 is not that.
    suitability = _suitability(g, deps) if intent in SUITABILITY_INTENTS else []
    plan = plan_turn(intent, question, suitability, _recent_failures(g.history))
    with deps.sessions() as session:
        tool_outputs = run_tools(session, plan.tools, g.client.id, g.products, question, deps.clock.today())
    g.extra_facts = [o.text for o in tool_outputs]
    if g.history:
        g.extra_facts.append("此前对话：\n" + memory.history_text(g.history, deps.settings.history_token_budget))
    timer.mark("context")
    hits = _retrieve(deps, question, g.products)
    # a goal calculation is itself the grounding: the reply quotes the calculator, not the corpus
    calculated = any(o.tool == "goals" for o in tool_outputs)
    answerable, unknown = (True, []) if g.products or calculated else deps.retriever.answerable(question, hits, deps.settings.min_relevance)
    return _Understanding(intent, plan, tool_outputs, suitability, hits, answerable, unknown)


def run_turn(deps: AgentDeps, request: TurnRequest, on_text: TextSink | None = None) -> TurnResult:
    """Answer one client message. The turn is committed to the log before this returns.

    ``on_text`` receives the answer as it may be shown, sentence by sentence, each only after
    it passed the rails; together the pieces are exactly ``TurnResult.answer``."""
    emitted: list[str] = []

    def emit(text: str) -> None:
        emitted.append(text)
        if on_text is not None:
            on_text(text)

    timer = Timer()
    text = validate_message(request.message, deps.settings)
    screened = screen_input(text)
    masked_question = screened.masked_text
    with deps.sessions() as session:
        g = _ground(session, request, masked_question)
    # injection, jailbreak or out of scope: refused before any model sees it
    u = (
        _understand(deps, g, masked_question, timer)
        if screened.allowed
        else _Understanding(intent=SCREENED_INTENT.get(screened.category or "", "screened"))
    )
    intent, plan, tool_outputs, suitability, hits = u.intent, u.plan, u.tool_outputs, u.suitability, u.hits
    answerable, unknown = u.answerable, u.unknown
    used: list[Hit] = []
    timer.mark("retrieval")
    input_hits: list[RuleHit] = [RuleHit.model_validate(h.model_dump(exclude={"category"})) for h in screened.rules]
    if not screened.allowed:
        draft = None
        answer = screened.refusal or load_prompt("no_context").text
        verdict = Verdict(action="block", rules=input_hits, policy_version=deps.policy.version)
    elif not answerable and plan.hands_off:  # nothing to look up: the person is the answer
        draft = None
        answer, verdict = load_prompt("handoff").text, Verdict(action="pass", rules=[], policy_version=deps.policy.version)
    elif not answerable and intent == "chitchat":
        draft = None
        answer, verdict = load_prompt("chitchat").text, Verdict(action="pass", rules=[], policy_version=deps.policy.version)
    elif answerable:
        draft, used, failure, gate = _draft(deps, g, masked_question, suitability, hits, timer.marks, emit)
        timer.mark("generation")
        answer, verdict = _finish(gate, failure, suitability, g, used or hits, deps)
    else:  # the knowledge base has no answer: say so, never answer from the model's memory
        draft, used, hits = None, [], []
        no_answer = deps.policy.hit("retrieval.no_answer", "、".join(unknown))
        answer, verdict = load_prompt("no_context").text, Verdict(action="pass", rules=[no_answer], policy_version=deps.policy.version)
    if screened.allowed and input_hits:  # personal data masked on the way in: logged, not blocking
        verdict.rules[:0] = input_hits
    planted = [h.chunk.chunk_id for h in used if h.chunk.injection_rules or scan_passage(h.chunk.text)]
    if planted:
        verdict.rules.append(deps.policy.hit("retrieval.injection_neutralised", "、".join(planted)))
    cited, dropped, _ = check_citations(answer, used or hits)
    if dropped:
        detail = "、".join(h.chunk.chunk_id for h in dropped)
        verdict.rules.append(deps.policy.hit("citation.dropped", detail))
    if plan.hands_off:  # the reply still goes out; a person follows up
        if load_prompt("handoff").text not in answer:
            answer = f"{answer}\n\n{load_prompt('handoff').text}"
        reasons = "、".join(lead.reason for lead in plan.leads)
        verdict = decide([*verdict.rules, deps.policy.hit("handoff.human", reasons)], deps.policy)
    sent = "".join(emitted)
    if answer.startswith(sent):
        if answer[len(sent) :]:
            emit(answer[len(sent) :])
    else:  # cannot happen: the answer always starts with what was released
        raise RuntimeError("answer diverged from the streamed text")
    reply = with_disclosures(answer, deps.policy, advice=screened.allowed)
    timer.mark("guardrail")
    turn_id = str(uuid.uuid4())
    # the unmasked message is read here once more, for what the retention policy keeps (encrypted)
    originals = sealed_originals(
        text, [lead.reason for lead in plan.leads], turn_id=turn_id, client_id=g.client.id, policy=deps.retention, cipher=deps.cipher
    )
    content_id = hashlib.sha256(f"{turn_id}:{reply}".encode()).hexdigest()[:32]
    sources = [Citation.from_chunk(h.chunk) for h in cited]
    record = TurnRecord(
        id=turn_id,
        conversation_id=request.conversation_id or "",
        request_id=request.request_id,
        client_id=g.client.id,
        question=masked_question,
        reply=reply,
        draft=draft,
        sources=[c.model_dump(mode="json") for c in sources],
        verdict=verdict.action,
        rules=[r.model_dump(mode="json") for r in verdict.rules],
        risk_level=_risk_level(g.products[:3]),
        suitability={
            "results": [s.model_dump(mode="json") for s in suitability],
            "tools": [{"tool": o.tool, "text": o.text, "data": o.data} for o in tool_outputs],
            "leads": [{"reason": lead.reason, "detail": lead.detail} for lead in plan.leads],
        },
        intent=intent,
        model=deps.model.name,
        prompt_version=context.prompt_version(),
        content_id=content_id,
        timings=timer.marks,
    )
    conversation_id = _log_turn(deps, record, plan.leads, originals)
    timer.mark("log")
    disclosure = deps.policy.disclosure
    return TurnResult(
        conversation_id=conversation_id,
        turn_id=turn_id,
        request_id=request.request_id,
        answer=answer,
        reply=reply,
        intent=intent,
        sources=sources,
        risk_level=record.risk_level,
        suitability=suitability,
        verdict=verdict,
        tools=[o.tool for o in tool_outputs],
        leads=[lead.reason for lead in plan.leads],
        disclosure=Disclosure(
            risk_line=disclosure.risk_line,
            data_line=disclosure.data_line,
            ai_label=disclosure.ai_label,
            generated_by=f"{SERVICE_NAME}/{deps.model.name}",
            content_id=content_id,
        ),
        model=deps.model.name,
        prompt_version=record.prompt_version,
        timings_ms=timer.marks,
    )


def _log_turn(deps: AgentDeps, record: TurnRecord, leads: list[Lead], originals: list[NewOriginal]) -> str:
    """Append the turn, its encrypted originals and its leads in one transaction (ownership of the
    conversation was checked in _ground): a hand-off is never logged without its turn, nor the turn
    without it. A reason the client already has an open lead for opens no second one."""
    with deps.sessions() as session, session.begin():
        if not record.conversation_id:
            record.conversation_id = repo.start_conversation(session, record.client_id)
        repo.append_turn(session, record)
        keep_originals(session, originals, deps.clock.now())
        open_reasons = {lead.reason_code for lead in list_leads(session, client_id=record.client_id, status="open")}
        for lead in leads:
            if lead.reason in open_reasons:  # the advisor already has this one to follow up
                continue
            create_lead(
                session,
                client_id=record.client_id,
                reason_code=lead.reason,
                detail=lead.detail,
                created_at=deps.clock.now(),
                turn_id=record.id,
            )
    return record.conversation_id
