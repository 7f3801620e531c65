"""The originals a turn keeps (chosen by the retention policy, sealed before the turn is logged)
and their reveal to a person who needs one (always audited)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from guardrails.errors import PiiKeyError
from guardrails.pii_retention import RetentionPolicy, originals_to_keep
from guardrails.pii_vault import PiiCipher, Sealed
from records import repository as repo
from records.errors import RecordNotFound
from records.pii_originals import NewOriginal, OriginalView, get_original, record_reveal
from records.repository import Principal

if TYPE_CHECKING:
    from agent.turn import AgentDeps

log = logging.getLogger("advisor.pii")


def sealed_originals(
    text: str, lead_reasons: Iterable[str], *, turn_id: str, client_id: str, policy: RetentionPolicy, cipher: PiiCipher
) -> list[NewOriginal]:
    """The client's ``text`` holds personal data a purpose needs: each piece encrypted and bound to its entry."""
    out = []
    for kept in originals_to_keep(text, lead_reasons, policy):
        entry = {"id": str(uuid.uuid4()), "turn_id": turn_id, "client_id": client_id, "kind": kept.kind, "purpose": kept.purpose}
        sealed = cipher.seal(kept.value, entry)
        out.append(NewOriginal(**entry, policy_version=policy.version, ciphertext=sealed.ciphertext, key_id=sealed.key_id))
    return out


def entry_binding(original_id: str, turn_id: str, client_id: str, kind: str, purpose: str) -> dict[str, str]:
    """What a sealed original is bound to (the same fields :func:`sealed_originals` sealed)."""
    return {"id": original_id, "turn_id": turn_id, "client_id": client_id, "kind": kind, "purpose": purpose}


class Revealed(BaseModel):
    """One original, opened for a named person with a stated reason; the reveal is in the audit."""

    original: OriginalView
    value: str = Field(description="the original personal data; never logged, never cached")
    reveal_id: str = Field(description="the audit record of this reveal")
    revealed_at: datetime


def reveal_original(deps: AgentDeps, original_id: str, *, actor: Principal, reason: str, advisor_id: str | None) -> Revealed:
    """Open one original and record who, when and why, in one transaction; a failed opening is
    recorded too (outcome ``failed``) before its error is raised. ``advisor_id``: only entries of
    that advisor's clients exist for the caller (None: compliance, who sees every entry)."""
    failure: PiiKeyError | None = None
    value = ""
    with deps.sessions() as session, session.begin():
        entry, ciphertext = get_original(session, original_id)
        if advisor_id is not None:
            client = repo.get_client(session, entry.client_id)
            if client is None or client.advisor_id != advisor_id:
                raise RecordNotFound(f"original {original_id} is not of {advisor_id}'s clients", public_message="未找到该加密留存记录")
        binding = entry_binding(entry.id, entry.turn_id, entry.client_id, entry.kind, entry.purpose)
        try:
            value = deps.cipher.open(Sealed(ciphertext, entry.key_id), binding)
        except PiiKeyError as exc:
            failure = exc
        audit = record_reveal(
            session,
            entry.id,
            actor_role=actor.role,
            actor_id=actor.subject_id,
            reason=reason,
            outcome="failed" if failure else "revealed",
            created_at=deps.clock.now(),
        )
    log.info("personal data original %s", audit.outcome, extra={"original_id": entry.id, "actor": actor.subject_id, "role": actor.role})
    if failure is not None:
        raise failure
    return Revealed(original=entry, value=value, reveal_id=audit.id, revealed_at=audit.created_at)
