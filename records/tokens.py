"""Issuing, listing and revoking bearer tokens; only a token's sha256 is ever stored."""

from __future__ import annotations

import secrets
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from records import schema
from records.errors import RecordNotFound
from records.repository import hash_token

TOKEN_ID_CHARS = 12


class TokenRow(BaseModel):
    token_id: str
    role: str
    subject_id: str
    created_at: datetime


def issue_token(session: Session, *, role: str, subject_id: str, created_at: datetime) -> tuple[str, str]:
    """A new random token for an existing client or advisor (any id for compliance and admin).

    Returns the token, shown once, and its id (the first hex digits of its hash). The caller commits.
    """
    if role == "client" and session.get(schema.Client, subject_id) is None:
        raise RecordNotFound(f"no client {subject_id!r}", public_message="未找到该客户")
    if role == "advisor" and session.get(schema.Advisor, subject_id) is None:
        raise RecordNotFound(f"no advisor {subject_id!r}", public_message="未找到该投顾")
    if role not in ("client", "advisor", "compliance", "admin"):
        raise InvalidInput(f"unknown role {role!r}", public_message="未知角色")
    token = "adv_" + secrets.token_urlsafe(32)
    digest = hash_token(token)
    session.add(schema.ApiToken(token_hash=digest, role=role, subject_id=subject_id, created_at=created_at))
    session.flush()
    return token, digest[:TOKEN_ID_CHARS]


def list_tokens(session: Session) -> list[TokenRow]:
    rows = session.scalars(select(schema.ApiToken).order_by(schema.ApiToken.created_at, schema.ApiToken.token_hash))
    return [TokenRow(token_id=r.token_hash[:TOKEN_ID_CHARS], role=r.role, subject_id=r.subject_id, created_at=r.created_at) for r in rows]


def revoke_token(session: Session, token_id: str) -> None:
    """Delete the one token whose hash starts with ``token_id``. The caller commits."""
    if len(token_id) != TOKEN_ID_CHARS or any(c not in "0123456789abcdef" for c in token_id):
        raise RecordNotFound(f"bad token id {token_id!r}", public_message="未找到该令牌")
    matches = list(session.scalars(select(schema.ApiToken.token_hash).where(schema.ApiToken.token_hash.startswith(token_id))))
    if len(matches) != 1:
        raise RecordNotFound(f"token id {token_id!r} matches {len(matches)} tokens", public_message="未找到该令牌")
    session.execute(delete(schema.ApiToken).where(schema.ApiToken.token_hash == matches[0]))
