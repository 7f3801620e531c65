"""Typed records that cross the retrieval boundary: chunks, hits and citations."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Audience = Literal["public", "internal"]
DocType = Literal["research_report", "product_sheet", "policy", "faq", "announcement", "education"]


class ChunkMeta(BaseModel):
    """Document-level facts every chunk carries, so a hit can be cited on its own."""

    doc_id: str
    title: str
    doc_type: DocType
    publisher: str
    published: date
    audience: Audience = "public"
    language: str = "zh"
    products: list[str] = Field(default_factory=list)
    securities: list[str] = Field(default_factory=list)
    superseded_by: str | None = None
    risk_level: str | None = None
    rating: str | None = None
    target_price: float | None = None


class Chunk(BaseModel):
    """One retrievable piece of a document."""

    chunk_id: str
    text: str
    heading_path: list[str] = Field(default_factory=list)
    ordinal: int
    page: int | None = Field(default=None, description="1-based page of a PDF")
    injection_rules: list[str] = Field(default_factory=list, description="rules that found instructions to the assistant in the text")
    meta: ChunkMeta

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    def embedding_text(self) -> str:
        """What the embedder and BM25 see: title and section give a short chunk its context."""
        head = self.meta.title + (f"｜{self.section}" if self.heading_path else "")
        return f"{head}\n{self.text}"


class Hit(BaseModel):
    """A chunk found for a query, with the fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    similarity: float | None = Field(default=None, description="cosine similarity to the query, when the dense search found it")
    # Per query, not per hit: every hit of one search carries it, because a search returns a
    # plain list of hits. The no-answer gate reads it (``retrieval.answerability``).
    best_similarity: float | None = Field(
        default=None,
        description="the dense search's best cosine similarity for the query (any admitted chunk), whichever lanes found this hit",
    )


class Citation(BaseModel):
    """What a user sees of a source: enough to find it and check it."""

    chunk_id: str
    doc_id: str
    title: str
    publisher: str
    date: date
    section: str
    page: int | None = None
    doc_type: DocType
    quote: str = Field(description="the exact text of the cited chunk, trimmed for display")

    @classmethod
    def from_chunk(cls, chunk: Chunk, max_quote: int = 160) -> Citation:
        from guardrails.injection import neutralise  # documents are data: a planted instruction is not shown

        text = neutralise(chunk.text)
        quote = text if len(text) <= max_quote else text[: max_quote - 1] + "…"
        return cls(
            chunk_id=chunk.chunk_id,
            doc_id=chunk.meta.doc_id,
            title=chunk.meta.title,
            publisher=chunk.meta.publisher,
            date=chunk.meta.published,
            section=chunk.section,
            page=chunk.page,
            doc_type=chunk.meta.doc_type,
            quote=quote,
        )
