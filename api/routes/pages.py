"""The web pages: a client chat, the advisor console and the compliance console (Jinja2 + htmx 4).

The pages (``/``, ``/chat``, ``/advisor``, ``/compliance``) are public shells with no data in
them. What they show comes from the fragment routes under ``/ui/``: each takes the same bearer
token and admits the same role as the JSON endpoint it is built on, and calls that endpoint's
function, so access rules, guardrail checks and logging are the API's own. The page keeps the
token in sessionStorage and htmx sends it as ``Authorization: Bearer`` (``static/app.js``); a
token never appears in a URL. htmx is vendored from the npm registry by the Makefile.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent

from agent.models import TurnRequest
from agent.retention import Revealed
from agent.turn import AgentDeps
from api.console_schemas import REVEAL_REASON_CHARS, AnnotationCreate, DraftCreate, DraftEdit, DraftOut, RevealRequest
from api.deps import AppMetrics, CurrentAdvisor, CurrentClient, CurrentReviewer, Deps
from api.observability import Metrics
from api.routes import advisor, chat, compliance
from api.schemas import ChatRequest, FeedbackRequest, HandoffRequest, TurnView
from api.streaming import Failed, Finished, Released, stream_turn
from guardrails.policy import Disclosure
from records.feedback import AnnotationLabel
from records.repository import Principal
from records.review import TurnFilter

HERE = Path(__file__).resolve().parent.parent
TEMPLATES, STATIC = HERE / "templates", HERE / "static"
PAGE_SIZE = 20
PALETTE = ["#1c5dc9", "#2e7d32", "#b7791f", "#c62828", "#6a1b9a", "#00838f", "#8d6e63", "#546e7a"]
VERDICT_COLORS = {"pass": "#2e7d32", "rewrite": "#b7791f", "block": "#c62828", "escalate": "#6a1b9a"}
BEIJING = timezone(timedelta(hours=8), "北京时间")  # the client's clock (no daylight saving)

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Serve the pages, their fragments and the static files (app.js, style.css, vendored htmx)."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _beijing(moment: datetime) -> str:
    """A logged time (UTC; naive as SQLite gives it back) as the client reads it, in Beijing time."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BEIJING).strftime("%m-%d %H:%M")


def _colors_for(keys: list[str]) -> dict[str, str]:
    return {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    built = Jinja2Templates(directory=TEMPLATES)
    built.env.filters.update(pct=_pct, money=_money, beijing=_beijing)
    built.env.globals.update(
        vendor_ready=(STATIC / "vendor" / "htmx.min.js").is_file(),
        palette=PALETTE,
        verdict_colors=VERDICT_COLORS,
        colors_for=_colors_for,
        reveal_reason_chars=REVEAL_REASON_CHARS,
    )
    return built


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    response: HTMLResponse = templates().TemplateResponse(request, name, context, status_code=status_code)
    return response


def fragment(name: str, **context: Any) -> str:
    return templates().env.get_template(name).render(**context)


# ---- the page shells: public, they hold no data (the authorization test lists them as public) ----


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Sign in with a token and choose a page."""
    return page(request, "index.html")


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    return page(request, "chat.html")


@router.get("/advisor", response_class=HTMLResponse)
def advisor_page(request: Request) -> HTMLResponse:
    return page(request, "advisor.html")


@router.get("/compliance", response_class=HTMLResponse)
def compliance_page(request: Request) -> HTMLResponse:
    return page(request, "compliance.html")


# ---- client ----


class ChatForm(BaseModel):
    message: str = Field(max_length=20_000)
    product_code: str = Field(default="", pattern=r"^[0-9A-Za-z]{0,16}$")
    conversation_id: str = Field(default="", max_length=36)


def _sse_html(html: str) -> ServerSentEvent:
    """An unnamed SSE message: htmx's SSE extension swaps its HTML (and its ``<hx-partial>`` parts)."""
    return ServerSentEvent(html)


async def _chat_events(deps: AgentDeps, turn: TurnRequest, metrics: Metrics, slot: str) -> AsyncIterator[ServerSentEvent]:
    yield _sse_html(fragment("chat/_turn.html", question=turn.message, slot=slot))
    async for event in stream_turn(deps, turn):
        if isinstance(event, Released):
            text = escape(event.text)
            yield _sse_html(f'<hx-partial hx-target="#answer-{slot}" hx-swap="beforeend">{text}</hx-partial>')
        elif isinstance(event, Finished):
            metrics.record_turn("chat_page", turn.message, event.result)
            yield _sse_html(fragment("chat/_turn_done.html", r=event.result, slot=slot))
            # a named event is dispatched on the form as a DOM event: the conversation list reloads
            yield ServerSentEvent("", event="conversations-changed")
        elif isinstance(event, Failed):
            message = event.error.public_message if event.error else "服务内部错误，请稍后再试"
            yield _sse_html(fragment("chat/_turn_failed.html", message=message, request_id=turn.request_id, slot=slot))


@router.post("/ui/chat/stream", response_class=EventSourceResponse)
def chat_stream(
    form: Annotated[ChatForm, Form()], request: Request, deps: Deps, principal: CurrentClient, metrics: AppMetrics
) -> EventSourceResponse:
    """The streamed answer as HTML over SSE: the turn's frame, each released sentence, then its sources,
    risk badge, disclosure, AI label and feedback buttons. Bad input is refused before the stream."""
    body = ChatRequest(message=form.message, product_code=form.product_code or None, conversation_id=form.conversation_id or None)
    turn = chat.turn_request(deps, principal, body, request.state.request_id)
    events = _chat_events(deps, turn, metrics, uuid.uuid4().hex)
    return EventSourceResponse(events, ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class FeedbackForm(BaseModel):
    helpful: bool
    reason: str = Field(default="", max_length=500)


@router.post("/ui/turns/{turn_id}/feedback", response_class=HTMLResponse)
def feedback(turn_id: str, form: Annotated[FeedbackForm, Form()], request: Request, deps: Deps, principal: CurrentClient) -> HTMLResponse:
    chat.give_feedback(turn_id, FeedbackRequest(helpful=form.helpful, reason=form.reason or None), deps, principal)
    return page(request, "chat/_feedback_done.html", helpful=form.helpful)


class HandoffForm(BaseModel):
    reason: str = Field(default="", max_length=500)
    turn_id: str = Field(default="", max_length=36)


@router.post("/ui/handoff", response_class=HTMLResponse)
def handoff(form: Annotated[HandoffForm, Form()], request: Request, deps: Deps, principal: CurrentClient) -> HTMLResponse:
    lead = chat.talk_to_a_human(HandoffRequest(reason=form.reason, turn_id=form.turn_id or None), deps, principal)
    return page(request, "chat/_handoff_done.html", lead=lead)


@router.get("/ui/conversations", response_class=HTMLResponse)
def conversation_list(
    request: Request, deps: Deps, principal: CurrentClient, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0
) -> HTMLResponse:
    """The side list of the client's conversations, a page at a time (its 加载更多 asks for the next)."""
    found = chat.my_conversations(deps, principal, limit=PAGE_SIZE, offset=offset)
    return page(request, "chat/_conversations.html", found=found)


@dataclass(frozen=True)
class ShownTurn:
    """A logged turn laid out as the chat page lays out a new one: the answer, then the risk and data
    lines in small print, then the AI label. Together they are exactly the logged reply."""

    view: TurnView
    answer: str
    notes: list[tuple[str, str]]

    @classmethod
    def of(cls, view: TurnView, disclosure: Disclosure) -> ShownTurn:
        body = view.reply.removesuffix(view.ai_label).rstrip("\n")
        lines = f"\n\n{disclosure.risk_line}\n\n{disclosure.data_line}"
        if not body.endswith(lines):  # no advice given, or lines of an older policy: shown as they were, in the answer
            return cls(view, body, [])
        return cls(view, body.removesuffix(lines), [("risk-line", disclosure.risk_line), ("data-line", disclosure.data_line)])


@router.get("/ui/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_history(conversation_id: str, request: Request, deps: Deps, principal: CurrentClient) -> HTMLResponse:
    """A conversation reopened in the chat: its turns as shown, and its id in the form to continue it."""
    history = chat.my_conversation(conversation_id, deps, principal)
    turns = [ShownTurn.of(t, deps.policy.disclosure) for t in history.turns]
    return page(request, "chat/_history.html", turns=turns, conversation_id=history.id)


# ---- advisor ----


@router.get("/ui/advisor/research", response_class=HTMLResponse)
def research(
    request: Request,
    deps: Deps,
    principal: CurrentAdvisor,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=20)] = 8,
) -> HTMLResponse:
    return page(request, "advisor/_research.html", results=advisor.research(deps, principal, q, k))


@router.get("/ui/advisor/clients", response_class=HTMLResponse)
def clients(request: Request, deps: Deps, principal: CurrentAdvisor) -> HTMLResponse:
    return page(request, "advisor/_clients.html", clients=advisor.my_clients(deps, principal))


@router.get("/ui/advisor/clients/{client_id}/diagnosis", response_class=HTMLResponse)
def diagnosis(client_id: str, request: Request, deps: Deps, principal: CurrentAdvisor) -> HTMLResponse:
    return page(request, "advisor/_diagnosis.html", report=advisor.diagnosis_report(client_id, deps, principal))


class DraftForm(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    product_code: str = Field(default="", pattern=r"^[0-9A-Za-z]{0,16}$")


@router.post("/ui/advisor/clients/{client_id}/drafts", response_class=HTMLResponse)
def create_draft(
    client_id: str, form: Annotated[DraftForm, Form()], request: Request, deps: Deps, principal: CurrentAdvisor, metrics: AppMetrics
) -> HTMLResponse:
    body = DraftCreate(question=form.question, product_code=form.product_code or None)
    return page(request, "advisor/_draft.html", draft=advisor.create_draft(client_id, body, request, deps, principal, metrics))


class EditForm(BaseModel):
    text: str = Field(default="", max_length=4000)


def _save_edit(draft_id: str, text: str, deps: AgentDeps, principal: Principal, metrics: Metrics) -> DraftOut:
    """The advisor's text, if it changed, is saved as an edit: the API re-checks it and logs it."""
    current = advisor.get_draft(draft_id, deps, principal)
    if not text.strip() or text == current.text or current.status == "sent":
        return current
    return advisor.edit_draft(draft_id, DraftEdit(text=text), deps, principal, metrics)


@router.post("/ui/advisor/drafts/{draft_id}/edits", response_class=HTMLResponse)
def edit_draft(
    draft_id: str, form: Annotated[EditForm, Form()], request: Request, deps: Deps, principal: CurrentAdvisor, metrics: AppMetrics
) -> HTMLResponse:
    return page(request, "advisor/_draft.html", draft=_save_edit(draft_id, form.text, deps, principal, metrics))


@router.post("/ui/advisor/drafts/{draft_id}/send", response_class=HTMLResponse)
def send_draft(
    draft_id: str, form: Annotated[EditForm, Form()], request: Request, deps: Deps, principal: CurrentAdvisor, metrics: AppMetrics
) -> HTMLResponse:
    """Save the text on screen (re-checked), then send it; a refusal is logged by the API and shown here."""
    _save_edit(draft_id, form.text, deps, principal, metrics)
    try:
        sent = advisor.send_draft(draft_id, deps, principal)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_422_UNPROCESSABLE_CONTENT:
            raise
        draft = advisor.get_draft(draft_id, deps, principal)
        return page(request, "advisor/_draft.html", status_code=exc.status_code, draft=draft, error=str(exc.detail))
    return page(request, "advisor/_draft.html", draft=sent)


@router.get("/ui/advisor/leads", response_class=HTMLResponse)
def leads(request: Request, deps: Deps, principal: CurrentAdvisor) -> HTMLResponse:
    return page(request, "advisor/_leads.html", leads=advisor.leads_queue(deps, principal, None))


# ---- compliance ----

Filters = Annotated[TurnFilter, Query()]


@router.get("/ui/compliance/turns", response_class=HTMLResponse)
def turns(
    request: Request, deps: Deps, officer: CurrentReviewer, filters: Filters, offset: Annotated[int, Query(ge=0)] = 0
) -> HTMLResponse:
    """The filtered turns and a chart of their verdicts and rule hits per day."""
    found = compliance.search_turns(deps, officer, filters, offset, PAGE_SIZE)
    days = compliance.stats(deps, officer, filters)
    return page(request, "compliance/_turns.html", page=found, days=days, filters=filters.model_dump(exclude_none=True))


@router.get("/ui/compliance/turns/{turn_id}", response_class=HTMLResponse)
def turn(turn_id: str, request: Request, deps: Deps, officer: CurrentReviewer) -> HTMLResponse:
    return page(request, "compliance/_turn.html", detail=compliance.turn_detail(turn_id, deps, officer))


class AnnotationForm(BaseModel):
    label: AnnotationLabel
    note: str = Field(default="", max_length=2000)


@router.post("/ui/compliance/turns/{turn_id}/annotations", response_class=HTMLResponse)
def annotate(turn_id: str, form: Annotated[AnnotationForm, Form()], request: Request, deps: Deps, officer: CurrentReviewer) -> HTMLResponse:
    compliance.annotate(turn_id, AnnotationCreate(label=form.label, note=form.note), deps, officer)
    detail = compliance.turn_detail(turn_id, deps, officer)
    return page(request, "compliance/_annotations.html", detail=detail)


# ---- encrypted originals: revealed in place, on both consoles, through the API's reveal ----


class RevealForm(BaseModel):
    # No length limits here: checked below, so that the page gets a message in Chinese (the body is capped anyway).
    reason: str = ""


def _reveal_request(form: RevealForm) -> RevealRequest:
    """The API's body, with the reason trimmed (a reason of blanks says nothing) and within the API's limits."""
    reason = form.reason.strip()
    fewest, most = REVEAL_REASON_CHARS
    if not fewest <= len(reason) <= most:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"请填写查看原因（{fewest}–{most}个字），查看将记录审计")
    return RevealRequest(reason=reason)


def _revealed(request: Request, revealed: Revealed) -> HTMLResponse:
    response = page(request, "_revealed.html", revealed=revealed)
    response.headers["Cache-Control"] = "no-store"  # as the API's reveal: no copy of the original in any cache
    return response


@router.post("/ui/compliance/originals/{original_id}/reveal", response_class=HTMLResponse)
def reveal_for_review(
    original_id: str, form: Annotated[RevealForm, Form()], request: Request, deps: Deps, officer: CurrentReviewer
) -> HTMLResponse:
    """The original in place of its 查看原文 button; the API audits who, when and why before it opens it."""
    return _revealed(request, compliance.reveal(original_id, _reveal_request(form), Response(), deps, officer))


@router.post("/ui/advisor/originals/{original_id}/reveal", response_class=HTMLResponse)
def reveal_for_call_back(
    original_id: str, form: Annotated[RevealForm, Form()], request: Request, deps: Deps, principal: CurrentAdvisor
) -> HTMLResponse:
    """A call-back contact of one of the advisor's clients, in place on the leads queue; audited by the API."""
    return _revealed(request, advisor.reveal(original_id, _reveal_request(form), Response(), deps, principal))
