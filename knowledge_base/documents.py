"""Reading knowledge-base documents: Markdown with YAML front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from pydantic import BaseModel, Field, ValidationError

from knowledge_base.errors import DocumentError
from retrieval.models import Audience, ChunkMeta, DocType

SUPPORTED_SUFFIXES = {".md", ".markdown"}


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


def load_document(path: Path) -> KbDocument:
    """Parse one Markdown file; raises :class:`DocumentError` naming the file and the reason."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from exc
    if not raw.strip():
        raise DocumentError(f"{path}: empty file")
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as exc:
        raise DocumentError(f"{path}: bad front matter ({exc})") from exc
    if not post.content.strip():
        raise DocumentError(f"{path}: no body text")
    meta = _coerce(dict(post.metadata))
    try:
        return KbDocument(**meta, body=post.content, source=str(path))
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors())
        raise DocumentError(f"{path}: invalid metadata ({fields})") from exc


def discover(path: Path) -> list[Path]:
    """The document files under ``path`` (a file or a folder), sorted for stable ordering."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DocumentError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file())
