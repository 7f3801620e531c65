"""Reading knowledge-base documents of every supported format into one model."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from knowledge_base.errors import DocumentError
from knowledge_base.parsers import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, parse_file
from retrieval.models import Audience, ChunkMeta, DocType


class KbDocument(BaseModel):
    """A document of the knowledge base and the metadata every retrieval hit inherits."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str
    type: DocType
    publisher: str
    date: dt.date
    effective_date: dt.date | None = None
    superseded_by: str | None = None
    audience: Audience = "public"
    products: list[str] = Field(default_factory=list)
    securities: list[str] = Field(default_factory=list)
    risk_level: str | None = None
    language: str = "zh"
    rating: str | None = None
    target_price: float | None = None
    analyst: str | None = None
    test_case: str | None = None
    body: str
    pages: list[tuple[int, str]] | None = Field(default=None, description="PDF pages: (number, text)")
    source: str = ""

    def chunk_meta(self) -> ChunkMeta:
        return ChunkMeta(
            doc_id=self.id,
            title=self.title,
            doc_type=self.type,
            publisher=self.publisher,
            published=self.date,
            audience=self.audience,
            language=self.language,
            products=[str(p) for p in self.products],
            securities=[str(s) for s in self.securities],
            superseded_by=self.superseded_by,
            risk_level=self.risk_level,
            rating=self.rating,
            target_price=self.target_price,
        )


def _coerce(meta: dict[str, Any]) -> dict[str, Any]:
    # YAML reads 000901 as a number; codes are strings.
    for key in ("products", "securities"):
        values = meta.get(key) or []
        meta[key] = [str(v).zfill(6) if isinstance(v, int) else str(v) for v in values]
    return meta


def _defaults(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """Fill what a non-Markdown file may not declare. A date is never invented: citations show
    it, so a document without one is refused with a hint to add a sidecar."""
    meta.setdefault("id", re.sub(r"[^A-Za-z0-9_.\-]+", "-", path.stem).strip("-") or "document")
    meta.setdefault("title", path.stem)
    meta.setdefault("type", "education")
    meta.setdefault("publisher", "未注明")
    if not meta.get("date"):
        raise DocumentError(f"{path}: no publish date; add it to the front matter or to {path.name}.meta.yaml")
    return meta


def load_document(path: Path) -> KbDocument:
    """Parse one file of any supported format; raises :class:`DocumentError` naming the file
    and the reason."""
    parsed = parse_file(path)
    meta = _defaults(_coerce(dict(parsed.meta)), path)
    try:
        return KbDocument(**meta, body=parsed.body, pages=parsed.pages, source=str(path))
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors())
        raise DocumentError(f"{path}: invalid metadata ({fields})") from exc


def discover(path: Path) -> list[Path]:
    """The document files under ``path`` (a file or a folder), sorted for stable ordering."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DocumentError(f"{path}: no such file or folder")
    return sorted(
        p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file() and not p.name.endswith(SIDECAR_SUFFIX)
    )
