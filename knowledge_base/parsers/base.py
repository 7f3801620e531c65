"""What every format parser returns, and the small helpers the parsers share."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from knowledge_base.errors import DocumentError

# A title longer than this is a paragraph that happened to come first, so it is cut.
TITLE_MAX_CHARS = 100

# Authors that office tools and libraries write by default: they name no publisher.
_PLACEHOLDER_AUTHORS = frozenset(
    {"admin", "administrator", "user", "unknown", "microsoft office user", "python-docx", "openpyxl", "微软用户", "作者", "用户"}
)
# "2026-06-30", "2026/6/30", "2026.06.30", "2026年6月30日", optionally followed by a time.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_HEADING = re.compile(r"^#{1,6}\s+(.*\S)\s*$")
_LIST_MARKER = re.compile(r"^([-*+]|\d+[.)、])\s+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A line break that only wrapped the source between two CJK characters is not a space in Chinese.
_WRAP_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \\t]*\\n\\s*(?=[{_CJK}])")


class ParsedDocument(BaseModel):
    """One file turned into Markdown, with the metadata the file (or its sidecar) states."""

    meta: dict[str, Any]
    """Front-matter-like fields (id, title, type, publisher, date, ...); only what is known."""
    body: str
    """Markdown of the whole document: headings as ``#``, tables as pipe tables."""
    pages: list[tuple[int, str]] | None = None
    """PDF only: ``(1-based page number, Markdown of that page)`` for each page with text."""


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the encoding of most Chinese files not in UTF-8."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Both encodings accept NUL bytes, but text files do not contain them: binary data does.
        if "\x00" not in text:
            return text
    raise DocumentError(f"{path}: not UTF-8 or GB18030 text")


def is_cjk(char: str) -> bool:
    return bool(_CJK_CHAR.match(char))


def clean_inline(text: str) -> str:
    """Collapse whitespace to single spaces, dropping the line breaks that only wrapped Chinese text."""
    return re.sub(r"\s+", " ", _WRAP_BETWEEN_CJK.sub("", text)).strip()


def table_rows(rows: list[list[str]]) -> list[list[str]] | None:
    """Rows with cells stripped and empty rows and trailing empty cells dropped; ``None`` when
    nothing is left below the header (a header alone states no fact worth retrieving)."""
    kept: list[list[str]] = []
    for row in rows:
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            kept.append(cells)
    return kept if len(kept) >= 2 else None


def pipe_table(rows: list[list[str]]) -> str:
    """A Markdown pipe table with the first row as header; short rows are padded to the widest."""
    width = max(len(row) for row in rows)

    def line(cells: list[str]) -> str:
        padded = [_table_cell(cell) for cell in cells] + [""] * (width - len(cells))
        return "| " + " | ".join(padded) + " |"

    separator = "| " + " | ".join(["---"] * width) + " |"
    return "\n".join([line(rows[0]), separator, *(line(row) for row in rows[1:])])


def _table_cell(text: str) -> str:
    # A pipe table holds one line per row, and a bare '|' would start a new column.
    return clean_inline(text).replace("|", "\\|")


def title_from_body(body: str) -> str | None:
    """The first heading, else the first line of prose: what a reader would take as the title."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            return heading.group(1)[:TITLE_MAX_CHARS]
    for line in lines:
        if not line.startswith("|"):
            return _LIST_MARKER.sub("", line)[:TITLE_MAX_CHARS] or None
    return None


def declared_meta(*, title: str | None = None, author: str | None = None, date: str | None = None) -> dict[str, Any]:
    """The metadata a file states about itself; unknown fields are left out for the caller to fill."""
    meta: dict[str, Any] = {}
    if title and title.strip():
        meta["title"] = clean_inline(title)
    if author and author.strip().lower() not in _PLACEHOLDER_AUTHORS:
        meta["publisher"] = clean_inline(author)
    published = _parse_date(date) if date else None
    if published is not None:
        meta["date"] = published
    return meta


def _parse_date(text: str) -> dt.date | None:
    # A date the file states in a form we cannot read is left out rather than guessed at.
    found = _DATE.match(text.strip())
    if found is None:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
