"""PDF: the text layer of each page, through pypdf."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PyPdfError

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument, declared_meta, title_from_body
from knowledge_base.parsers.plain_text import heading_levels, text_to_markdown

# What pypdf raises on a damaged file: its own errors; KeyError/ValueError from objects that lack
# a required entry or hold a malformed number; NotImplementedError for a stream filter it does not
# know; AttributeError/TypeError when an object has the wrong type (fuzzing found a trailer that
# is a number). Each try block holds only pypdf calls, so none of these hides a bug of ours.
_PDF_ERRORS = (PyPdfError, KeyError, ValueError, NotImplementedError, AttributeError, TypeError)
_WORD_EXPORT_TITLE = re.compile(r"^Microsoft (Word|PowerPoint) - |\.(docx?|pptx?)$", re.IGNORECASE)


def _open(path: Path, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        # Many PDFs are encrypted only to restrict printing or copying: the empty password opens them.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DocumentError(f"{path}: encrypted PDF that needs a password")
    except DependencyError as exc:
        raise DocumentError(f"{path}: encrypted PDF that cannot be decrypted here ({exc})") from exc
    except _PDF_ERRORS as exc:
        raise DocumentError(f"{path}: not a readable PDF ({exc})") from exc
    return reader


def _page_texts(path: Path, reader: PdfReader) -> list[str]:
    try:
        pages = list(reader.pages)
    except _PDF_ERRORS as exc:
        raise DocumentError(f"{path}: not a readable PDF ({exc})") from exc
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text())
        except _PDF_ERRORS as exc:
            raise DocumentError(f"{path}: page {number} is unreadable ({exc})") from exc
    return texts


def _info(reader: PdfReader) -> tuple[str | None, str | None]:
    try:
        info = reader.metadata
        title, author = (info.title, info.author) if info is not None else (None, None)
    except _PDF_ERRORS:
        # The document information is optional; a damaged one costs a title, not the document.
        return None, None
    # Word's "Save as PDF" titles the PDF after the source file, which names nothing.
    if title and _WORD_EXPORT_TITLE.match(title):
        title = None
    return title, author


def parse_pdf(path: Path, data: bytes) -> ParsedDocument:
    """A PDF with a text layer; ``pages`` keeps each page's Markdown for page-level citations."""
    reader = _open(path, data)
    texts = _page_texts(path, reader)
    if not any(text.strip() for text in texts):
        raise DocumentError(f"{path}: no text layer (scanned PDF?)")
    # Heading levels are set over the whole document so a kind of heading has one level on every page.
    levels = heading_levels(line for text in texts for line in text.splitlines())
    pages = [(number, md) for number, text in enumerate(texts, start=1) if (md := text_to_markdown(text, levels, rejoin=True))]
    body = "\n\n".join(md for _, md in pages)
    title, author = _info(reader)
    first_text = next(text for text in texts if text.strip())
    return ParsedDocument(meta=declared_meta(title=title or title_from_body(first_text), author=author), body=body, pages=pages)
