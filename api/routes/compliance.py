"""The compliance console's endpoints: filter, open, annotate and export turns; verdicts and rules per day.

Compliance reads every client's log; it cannot chat as a client (the chat routes admit clients only).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.responses import StreamingResponse

from agent.retention import Revealed, reveal_original
from agent.turn import SERVICE_NAME, AgentDeps
from api.console_schemas import AnnotationCreate, RetainedOriginal, RevealRequest, TurnDetail, TurnPage, TurnRow
from api.deps import CurrentReviewer, Deps
from api.routes.chat import ERRORS
from records import drafts, feedback, pii_originals, review
from records import repository as repo
from records.feedback import AnnotationView
from records.repository import TurnRecord
from records.review import DayCount, TurnFilter

router = APIRouter(prefix="/api/compliance", tags=["compliance"], responses=ERRORS)  # type: ignore[arg-type]
Filters = Annotated[TurnFilter, Query()]
EXPORT_COLUMNS = [
    "turn_id", "created_at", "client_id", "conversation_id", "request_id", "question", "reply", "verdict", "rules",
    "risk_level", "intent", "model", "prompt_version", "sources", "ai_generated", "ai_label", "generated_by", "content_id",
]  # fmt: skip


def _row(t: TurnRecord) -> TurnRow:
    rules = [str(r.get("rule_id")) for r in t.rules]
    return TurnRow(
        id=t.id,
        created_at=t.created_at,
        client_id=t.client_id,
        conversation_id=t.conversation_id,
        question=t.question,
        reply=t.reply,
        verdict=t.verdict,
        rules=rules,
        risk_level=t.risk_level,
        model=t.model,
    )


@router.get("/turns", response_model=TurnPage)
def search_turns(
    deps: Deps,
    _: CurrentReviewer,
    filters: Filters,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TurnPage:
    """Turns, newest first, filtered by verdict, rule, risk level, client, advisor, date range and text."""
    with deps.sessions() as session:
        total, page = review.search_turns(session, filters, offset=offset, limit=limit)
    return TurnPage(total=total, offset=offset, limit=limit, turns=[_row(t) for t in page])


@router.get("/turns/{turn_id}", response_model=TurnDetail)
def turn_detail(turn_id: str, deps: Deps, _: CurrentReviewer) -> TurnDetail:
    """The whole record of one turn, with feedback, annotations and advisor drafts built on it."""
    with deps.sessions() as session:
        turn = repo.get_turn(session, turn_id)
        if turn is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该轮对话")
        client = repo.get_client(session, turn.client_id)
        return TurnDetail(
            turn=turn,
            advisor_id=client.advisor_id if client else None,
            feedback=feedback.feedback_for(session, [turn_id]),
            annotations=feedback.annotations_for(session, [turn_id]),
            drafts=[d.model_dump(mode="json") for d in drafts.drafts_for_turns(session, [turn_id])],
            retained=RetainedOriginal.listed(pii_originals.originals_for_turns(session, [turn_id]), deps.retention),
        )


@router.post("/turns/{turn_id}/annotations", status_code=201, response_model=AnnotationView)
def annotate(turn_id: str, body: AnnotationCreate, deps: Deps, officer: CurrentReviewer) -> AnnotationView:
    """Mark a turn fine or a violation, or add a note (append-only: earlier annotations stay)."""
    with deps.sessions() as session, session.begin():
        return feedback.annotate(
            session, turn_id=turn_id, officer_id=officer.subject_id, label=body.label, note=body.note, created_at=deps.clock.now()
        )


@router.post("/originals/{original_id}/reveal", response_model=Revealed)
def reveal(original_id: str, body: RevealRequest, response: Response, deps: Deps, officer: CurrentReviewer) -> Revealed:
    """Decrypt one kept original for a review; who, when and why are written to the audit first."""
    response.headers["Cache-Control"] = "no-store"
    return reveal_original(deps, original_id, actor=officer, reason=body.reason, advisor_id=None)


def _export_record(t: TurnRecord, deps: AgentDeps) -> dict[str, object]:
    return {
        "turn_id": t.id,
        "created_at": t.created_at.isoformat(),
        "client_id": t.client_id,
        "conversation_id": t.conversation_id,
        "request_id": t.request_id,
        "question": t.question,
        "reply": t.reply,
        "verdict": t.verdict,
        "rules": t.rules,
        "risk_level": t.risk_level,
        "intent": t.intent,
        "model": t.model,
        "prompt_version": t.prompt_version,
        "sources": t.sources,
        "ai_generated": True,
        "ai_label": deps.policy.disclosure.ai_label,
        "generated_by": f"{SERVICE_NAME}/{t.model}",
        "content_id": t.content_id,
    }


def _lines(deps: AgentDeps, filters: TurnFilter, fmt: Literal["csv", "jsonl"]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    if fmt == "csv":
        writer.writeheader()
        yield "\ufeff" + buffer.getvalue()  # the BOM lets spreadsheet programs read the Chinese as UTF-8
    with deps.sessions() as session:
        for turn in review.iter_turns(session, filters):
            record = _export_record(turn, deps)
            if fmt == "jsonl":
                yield json.dumps(record, ensure_ascii=False, default=str) + "\n"
                continue
            buffer.seek(0)
            buffer.truncate()
            nested = ("rules", "sources")
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in nested else v for k, v in record.items()})
            yield buffer.getvalue()


@router.get("/export", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export(
    deps: Deps, _: CurrentReviewer, filters: Filters, fmt: Annotated[Literal["csv", "jsonl"], Query(alias="format")] = "csv"
) -> StreamingResponse:
    """The filtered turns as CSV or JSON Lines; every row keeps the reply's AI label and the generation metadata."""
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="turns.{fmt}"', "Cache-Control": "no-store"}
    return StreamingResponse(_lines(deps, filters, fmt), media_type=media, headers=headers)


@router.get("/stats", response_model=list[DayCount])
def stats(deps: Deps, _: CurrentReviewer, filters: Filters) -> list[DayCount]:
    """Turns, verdicts and rule hits per day (UTC) of the filtered set, for a chart."""
    with deps.sessions() as session:
        return review.daily_counts(session, filters)
