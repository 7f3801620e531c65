"""Chinese-aware chunking of Markdown bodies: pure functions, no I/O.

Order of splitting: headings first (each chunk keeps its heading path), then blocks
(paragraphs, tables, lists), then sentences at 。！？；. A table stays whole when it fits, else
it is split by rows with its header repeated. A sentence is never cut inside a number, and a
Q&A section (a ``问：`` heading with its ``答：`` paragraph) stays in one chunk when it fits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
SENTENCE_END = re.compile(r"(?<=[。！？；!?])")
DEFAULT_MAX_CHARS = 360


@dataclass
class Block:
    """A run of lines that must stay together: a paragraph, a table or a list."""

    kind: str  # "para" | "table" | "list"
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Section:
    path: list[str]
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class RawChunk:
    text: str
    heading_path: tuple[str, ...]


def _block_kind(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("|"):
        return "table"
    if re.match(r"^([-*+]|\d+[.)、])\s", stripped):
        return "list"
    return "para"


def parse_sections(body: str) -> list[Section]:
    """Split a Markdown body into sections by heading, each holding its blocks in order."""
    sections = [Section(path=[])]
    stack: list[tuple[int, str]] = []
    current: Block | None = None
    for raw in body.splitlines():
        line = raw.rstrip()
        heading = HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, title)]
            sections.append(Section(path=[t for _, t in stack]))
            current = None
            continue
        if not line.strip():
            current = None
            continue
        kind = _block_kind(line)
        if current is None or (current.kind != kind and not (current.kind == "list" and kind == "para")):
            current = Block(kind=kind, lines=[])
            sections[-1].blocks.append(current)
        current.lines.append(line.strip())
    return [s for s in sections if s.blocks]


def split_sentences(text: str) -> list[str]:
    """Split Chinese (and ASCII) text after sentence-ending marks; never inside a number."""
    parts = [p for p in SENTENCE_END.split(text) if p]
    return parts or [text]


def _split_long_text(text: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    buf = ""
    for sentence in split_sentences(text):
        if buf and len(buf) + len(sentence) > max_chars:
            pieces.append(buf)
            buf = ""
        buf += sentence
        while len(buf) > max_chars * 2:  # one enormous sentence: cut at a comma, else hard
            cut = _safe_cut(buf, max_chars)
            pieces.append(buf[:cut])
            buf = buf[cut:]
    if buf:
        pieces.append(buf)
    return pieces


def _safe_cut(text: str, limit: int) -> int:
    """A cut position at or before ``limit`` that is not inside a run of digits."""
    for mark in ("，", ",", "、", " "):
        pos = text.rfind(mark, 0, limit)
        if pos > limit // 2:
            return pos + 1
    pos = limit
    while 0 < pos < len(text) and (text[pos - 1].isdigit() or text[pos - 1] in ".%") and text[pos].isdigit():
        pos -= 1
    return pos if pos > 0 else limit


def _split_table(block: Block, max_chars: int) -> list[str]:
    if len(block.text) <= max_chars or len(block.lines) <= 3:
        return [block.text]
    header = block.lines[:2] if re.match(r"^\|?\s*:?-{2,}", block.lines[1]) else block.lines[:1]
    rows = block.lines[len(header) :]
    pieces: list[str] = []
    current: list[str] = []
    for row in rows:
        candidate = "\n".join(header + current + [row])
        if current and len(candidate) > max_chars:
            pieces.append("\n".join(header + current))
            current = []
        current.append(row)
    if current:
        pieces.append("\n".join(header + current))
    return pieces


def _block_pieces(block: Block, max_chars: int) -> list[str]:
    if len(block.text) <= max_chars:
        return [block.text]
    if block.kind == "list":
        return _pack(block.lines, max_chars)
    return _split_long_text(block.text, max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    packed: list[str] = []
    buf: list[str] = []
    for piece in pieces:
        if buf and len("\n".join([*buf, piece])) > max_chars:
            packed.append("\n".join(buf))
            buf = []
        buf.append(piece)
    if buf:
        packed.append("\n".join(buf))
    return packed


def chunk_markdown(body: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[RawChunk]:
    """Chunks of at most about ``max_chars`` characters, each with its heading path.

    Prose and lists of one section are packed together; a table piece always stands alone,
    so a table chunk stays a table.
    """
    chunks: list[RawChunk] = []
    for section in parse_sections(body):
        path = tuple(section.path)
        prose: list[str] = []
        for block in section.blocks:
            if block.kind == "table":
                chunks.extend(RawChunk(t, path) for t in _pack(prose, max_chars))
                prose = []
                chunks.extend(RawChunk(t, path) for t in _split_table(block, max_chars))
            else:
                prose.extend(_block_pieces(block, max_chars))
        chunks.extend(RawChunk(t, path) for t in _pack(prose, max_chars))
    return chunks


def chunk_id(doc_id: str, ordinal: int, text: str) -> str:
    """Stable id from the document, the position and the content: re-ingesting the same
    text gives the same id, an edited chunk gets a new one."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}#{ordinal:03d}-{digest}"
