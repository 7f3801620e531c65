"""Plain text to Markdown: Chinese heading lines, paragraphs, and lines wrapped by a PDF's layout."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument, declared_meta, decode_text, is_cjk, title_from_body

_NUMERAL = "〇零一二三四五六七八九十百两0-9０-９"
# Kinds of Chinese heading, outermost first. "第一条" (an article) is left out on purpose:
# in regulations it opens a paragraph of rules, not a section.
_HEADING_KINDS = (
    re.compile(f"^第[{_NUMERAL}]+[编篇部]"),
    re.compile(f"^第[{_NUMERAL}]+章"),
    re.compile(f"^第[{_NUMERAL}]+节"),
    re.compile(f"^[{_NUMERAL}]+、\\s*\\S"),
    re.compile(f"^[（(][{_NUMERAL}]+[）)]\\s*\\S"),
)
# A heading is short and is not a sentence; "一、本基金投资于……。" is an item of a list.
_HEADING_MAX_CHARS = 40
_SENTENCE_END = ("。", "！", "？", "；", "，", "!", "?", ";", ",")
_PARAGRAPH_END = ("。", "！", "？", "：", "；", ".", "!", "?", ":")
# In a PDF's text a line clearly shorter than the page's longest is the last of its paragraph.
_SHORT_LINE_RATIO = 0.75


def heading_kind(line: str) -> int | None:
    """The rank of the Chinese heading ``line`` looks like (0 outermost), or ``None``."""
    if len(line) > _HEADING_MAX_CHARS or line.endswith(_SENTENCE_END):
        return None
    return next((rank for rank, pattern in enumerate(_HEADING_KINDS) if pattern.match(line)), None)


def heading_levels(lines: Iterable[str]) -> dict[int, int]:
    """Markdown levels for the heading kinds a document uses: its outermost kind becomes '#'."""
    kinds = sorted({kind for line in lines if (kind := heading_kind(line.strip())) is not None})
    return {kind: min(level, 6) for level, kind in enumerate(kinds, start=1)}


def join_wrapped(lines: list[str]) -> str:
    """One paragraph from lines the layout wrapped: no space is added inside Chinese text or a number."""
    text = lines[0]
    for line in lines[1:]:
        text += _glue(text, line) + line
    return text


def _glue(before: str, after: str) -> str:
    last, first = before[-1], after[0]
    if is_cjk(last) or is_cjk(first):
        return ""
    # "0." + "012", "1," + "234", "2026-" + "06-30", "0.012" + "%": one token cut by the layout.
    if (re.search(r"\d[.,]$", before) and first.isdigit()) or (last.isdigit() and first in "%‰"):
        return ""
    if re.search(r"\w-$", before) and first.isalnum():
        return ""
    return " "


def _ends_paragraph(line: str, widest: int) -> bool:
    # "0." at the end of a line is a number the layout cut, not the end of a sentence.
    closed = line.endswith(_PARAGRAPH_END) and not re.search(r"\d[.,]$", line)
    return closed or _display_width(line) < widest * _SHORT_LINE_RATIO


def _display_width(line: str) -> int:
    return sum(2 if is_cjk(char) else 1 for char in line)


def text_to_markdown(text: str, levels: dict[int, int], *, rejoin: bool) -> str:
    """Markdown blocks from plain text: heading lines become '#' headings.

    With ``rejoin`` (a PDF page) lines are joined into paragraphs, which end at a blank line, at
    closing punctuation or at a short line; without it (a text file) the author's lines are kept
    and blank lines separate the paragraphs.
    """
    lines = [line.strip() for line in text.splitlines()]
    widest = max((_display_width(line) for line in lines), default=0)
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(join_wrapped(paragraph) if rejoin else "\n".join(paragraph))
            paragraph.clear()

    for line in lines:
        kind = heading_kind(line) if line else None
        if kind is not None:
            flush()
            blocks.append("#" * levels.get(kind, 1) + " " + line)
            continue
        if line:
            paragraph.append(line)
        if not line or (rejoin and _ends_paragraph(line, widest)):
            flush()
    flush()
    return "\n\n".join(blocks)


def parse_txt(path: Path, data: bytes) -> ParsedDocument:
    """A plain-text file in UTF-8 or GB18030."""
    text = decode_text(path, data)
    if not text.strip():
        raise DocumentError(f"{path}: empty file")
    body = text_to_markdown(text, heading_levels(text.splitlines()), rejoin=False)
    # The first line, not the first heading: heading lines are our guess, the first line is the
    # author's, and a text file usually opens with its title.
    return ParsedDocument(meta=declared_meta(title=title_from_body(text)), body=body)
