"""The advisor console's endpoints: research, clients with findings, diagnosis, reply drafts, leads.

An advisor reaches only the clients assigned to them; anyone else's id is answered with 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from agent.context import instruction_texts
from agent.models import TurnRequest
from agent.retention import Revealed, reveal_original
from agent.tools.diagnosis import diagnose
from agent.tools.loader import load_book
from agent.turn import AgentDeps, run_turn, validate_message
from api.console_schemas import (
    ClientSummary,
    DiagnosisReport,
    DraftCreate,
    DraftEdit,
    DraftOut,
    LeadOut,
    LeadStatusChange,
    ResearchHit,
    ResearchResults,
    RetainedOriginal,
    RevealRequest,
)
from api.deps import AppMetrics, CurrentAdvisor, Deps, advised_client
from api.routes.chat import ERRORS
from guardrails.models import SuitabilityResult, Verdict
from guardrails.output_rails import ReplyContext, check_reply, decide, with_disclosures
from records import drafts, leads, pii_originals, review
from records import repository as repo
from records.drafts import DraftView
from records.leads import REASON_LABELS, LeadStatus, LeadView
from records.repository import Principal
from retrieval.models import Citation
from retrieval.search import SearchFilter

router = APIRouter(prefix="/api/advisor", tags=["advisor"], responses=ERRORS)  # type: ignore[arg-type]


@router.get("/research", response_model=ResearchResults)
def research(
    deps: Deps,
    _: CurrentAdvisor,
    q: Annotated[str, Query(min_length=1, max_length=500, description="the research question")],
    k: Annotated[int, Query(ge=1, le=20)] = 8,
) -> ResearchResults:
    """Passages across public and internal documents, each with its publisher, date, section and page."""
    hits = deps.retriever.search(q, k, SearchFilter(audiences=["public", "internal"]))
    return ResearchResults(
        query=q,
        hits=[
            ResearchHit(citation=Citation.from_chunk(h.chunk), audience=h.chunk.meta.audience, text=h.chunk.text, score=h.score)
            for h in hits
        ],
    )


@router.get("/clients", response_model=list[ClientSummary])
def my_clients(deps: Deps, advisor: CurrentAdvisor) -> list[ClientSummary]:
    """The advisor's clients with the findings of a diagnosis of each book and their open leads."""
    today = deps.clock.today()
    out: list[ClientSummary] = []
    with deps.sessions() as session:
        open_leads = leads.list_leads(session, advisor_id=advisor.subject_id, status="open")
        for client in review.list_clients(session, advisor.subject_id):
            diagnosis = diagnose(load_book(session, client.id), today)
            out.append(
                ClientSummary(
                    id=client.id,
                    display_name=client.display_name,
                    risk_class=client.risk_class,
                    investor_type=client.investor_type,
                    risk_expires_at=client.risk_expires_at,
                    total_value=diagnosis.total_value,
                    findings=diagnosis.findings,
                    open_leads=sum(1 for lead in open_leads if lead.client_id == client.id),
                )
            )
    return out


@router.get("/clients/{client_id}/diagnosis", response_model=DiagnosisReport)
def diagnosis_report(client_id: str, deps: Deps, advisor: CurrentAdvisor) -> DiagnosisReport:
    """Allocation, concentration, risk mismatch, gain and loss, fees, drawdown, findings and chart series."""
    client = advised_client(deps, advisor, client_id)
    with deps.sessions() as session:
        diagnosis = diagnose(load_book(session, client.id), deps.clock.today())
    return DiagnosisReport(client=client, diagnosis=diagnosis, summary=diagnosis.summary_text())


def _check(deps: AgentDeps, session: Session, draft: DraftView, text: str) -> Verdict:
    """The output rails over an advisor's text, with the suitability facts of the turn that drafted it."""
    turn = repo.get_turn(session, draft.turn_id)
    results = [SuitabilityResult.model_validate(s) for s in ((turn.suitability or {}).get("results", []) if turn else [])]
    aliases = {}
    for s in results:
        product = repo.get_product(session, s.product_code)
        if product is not None:
            aliases[s.product_code] = [n for n in (product.short_name, *product.aliases) if n]
    ctx = ReplyContext(
        suitability=results,
        canary=deps.settings.prompt_canary,
        instructions=instruction_texts(),
        product_aliases=aliases,
        other_clients=deps.roster.others_of(draft.client_id),  # an advisor's text must not carry another client's data either
    )
    return decide(check_reply(text, ctx, deps.policy, deps.claim_judge, deps.claim_encoder), deps.policy)


def _draft_out(deps: AgentDeps, session: Session, draft: DraftView) -> DraftOut:
    verdict = _check(deps, session, draft, draft.current_text)
    turn = repo.get_turn(session, draft.turn_id)
    return DraftOut(
        id=draft.id,
        client_id=draft.client_id,
        advisor_id=draft.advisor_id,
        turn_id=draft.turn_id,
        status=draft.status,
        text=draft.current_text,
        sendable=verdict.action == "pass" and draft.status != "sent",
        verdict=verdict.action,
        rules=verdict.rules,
        sources=[Citation.model_validate(s) for s in (turn.sources if turn else [])],
        events=draft.events,
    )


def _own_draft(session: Session, advisor: Principal, draft_id: str) -> DraftView:
    draft = drafts.get_draft(session, draft_id)
    if draft.advisor_id != advisor.subject_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该草稿")
    return draft


@router.post("/clients/{client_id}/drafts", status_code=201, response_model=DraftOut)
def create_draft(client_id: str, body: DraftCreate, request: Request, deps: Deps, advisor: CurrentAdvisor, metrics: AppMetrics) -> DraftOut:
    """The agent drafts a reply to the client's question, grounded in their book and guarded; the turn is logged."""
    client = advised_client(deps, advisor, client_id)
    validate_message(body.question, deps.settings)
    turn = TurnRequest(client_id=client.id, message=body.question, product_code=body.product_code, request_id=request.state.request_id)
    result = run_turn(deps, turn)
    metrics.record_turn("advisor_draft", body.question, result)
    with deps.sessions() as session, session.begin():
        draft = drafts.create_draft(
            session,
            client_id=client.id,
            advisor_id=advisor.subject_id,
            turn_id=result.turn_id,
            conversation_id=result.conversation_id,
            text=result.answer,
            verdict=result.verdict.action,
            created_at=deps.clock.now(),
        )
        return _draft_out(deps, session, draft)


@router.get("/drafts/{draft_id}", response_model=DraftOut)
def get_draft(draft_id: str, deps: Deps, advisor: CurrentAdvisor) -> DraftOut:
    with deps.sessions() as session:
        return _draft_out(deps, session, _own_draft(session, advisor, draft_id))


@router.post("/drafts/{draft_id}/edits", response_model=DraftOut)
def edit_draft(draft_id: str, body: DraftEdit, deps: Deps, advisor: CurrentAdvisor, metrics: AppMetrics) -> DraftOut:
    """Save an edited text; it passes the output rails again and the edit is logged with its rule results."""
    with deps.sessions() as session, session.begin():
        draft = _own_draft(session, advisor, draft_id)
        if draft.status == "sent":
            raise HTTPException(status.HTTP_409_CONFLICT, "该草稿已发送，不能再修改")
        verdict = _check(deps, session, draft, body.text)
        metrics.draft_checks.labels(verdict=verdict.action).inc()
        rules = [r.model_dump(mode="json") for r in verdict.rules]
        drafts.append_event(
            session,
            draft.id,
            kind="edited",
            actor_id=advisor.subject_id,
            text=body.text,
            verdict=verdict.action,
            rules=rules,
            created_at=deps.clock.now(),
        )
        return _draft_out(deps, session, drafts.get_draft(session, draft.id))


@router.post("/drafts/{draft_id}/send", response_model=DraftOut, responses={409: {}, 422: {}})
def send_draft(draft_id: str, deps: Deps, advisor: CurrentAdvisor) -> DraftOut:
    """Send the current text to the client with the risk line, data line and AI label; refused (422,
    and logged) when the text does not pass the output rails."""
    with deps.sessions() as session, session.begin():
        draft = _own_draft(session, advisor, draft_id)
        if draft.status == "sent":
            raise HTTPException(status.HTTP_409_CONFLICT, "该草稿已发送")
        verdict = _check(deps, session, draft, draft.current_text)
        rules = [r.model_dump(mode="json") for r in verdict.rules]
        now = deps.clock.now()
        if verdict.action != "pass":
            drafts.append_event(
                session,
                draft.id,
                kind="refused",
                actor_id=advisor.subject_id,
                text=draft.current_text,
                verdict=verdict.action,
                rules=rules,
                created_at=now,
            )
        else:
            shown = with_disclosures(draft.current_text, deps.policy)
            drafts.append_event(
                session, draft.id, kind="sent", actor_id=advisor.subject_id, text=shown, verdict="pass", rules=rules, created_at=now
            )
    if verdict.action != "pass":
        fired = "、".join(r.rule_id for r in verdict.rules if r.severity != "info")
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"回复未通过合规检查，不能发送（{fired}）")
    with deps.sessions() as session:
        return _draft_out(deps, session, drafts.get_draft(session, draft_id))


@router.get("/leads", response_model=list[LeadOut])
def leads_queue(
    deps: Deps, advisor: CurrentAdvisor, lead_status: Annotated[LeadStatus | None, Query(alias="status")] = None
) -> list[LeadOut]:
    """The advisor's leads, newest first, each with its reason in Chinese."""
    with deps.sessions() as session:
        names = {c.id: c.display_name for c in review.list_clients(session, advisor.subject_id)}
        rows = leads.list_leads(session, advisor_id=advisor.subject_id, status=lead_status)
        kept = pii_originals.originals_for_turns(session, [lead.turn_id for lead in rows if lead.turn_id])
    return [
        LeadOut(
            **lead.model_dump(),
            reason_label=REASON_LABELS[lead.reason_code],
            client_name=names.get(lead.client_id, ""),
            retained=RetainedOriginal.listed([k for k in kept if k.turn_id == lead.turn_id], deps.retention),
        )
        for lead in rows
    ]


@router.post("/originals/{original_id}/reveal", response_model=Revealed)
def reveal(original_id: str, body: RevealRequest, response: Response, deps: Deps, advisor: CurrentAdvisor) -> Revealed:
    """Decrypt a contact detail one of the advisor's clients left for a call-back; every reveal is
    audited (who, when, why). Another advisor's client's entry is a 404."""
    response.headers["Cache-Control"] = "no-store"
    return reveal_original(deps, original_id, actor=advisor, reason=body.reason, advisor_id=advisor.subject_id)


@router.post("/leads/{lead_id}/status", response_model=LeadView)
def set_lead_status(lead_id: str, body: LeadStatusChange, deps: Deps, advisor: CurrentAdvisor) -> LeadView:
    with deps.sessions() as session, session.begin():
        mine = {lead.id for lead in leads.list_leads(session, advisor_id=advisor.subject_id)}
        if lead_id not in mine:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该线索")
        return leads.set_lead_status(session, lead_id, body.status)
