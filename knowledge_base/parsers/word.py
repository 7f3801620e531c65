"""DOCX: paragraphs, heading styles and tables in document order, through python-docx."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument, clean_inline, declared_meta, pipe_table, table_rows, title_from_body

# Word names the built-in styles "Heading 1"...; WPS and Chinese templates often say "标题 1".
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
# A damaged .docx fails as a bad zip archive, a zip compression method zipfile lacks
# (NotImplementedError), a missing part (KeyError), a part of the wrong type (ValueError), bad
# compressed data (zlib.error, EOFError) or bad XML.
_DOCX_ERRORS = (zipfile.BadZipFile, NotImplementedError, KeyError, ValueError, PackageNotFoundError, XMLSyntaxError, zlib.error, EOFError)


def _paragraph(paragraph: Paragraph) -> str | None:
    text = paragraph.text.strip()
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else None) or ""
    heading = _HEADING_STYLE.match(style.strip())
    if heading:
        return "#" * min(int(heading.group(1)), 6) + " " + clean_inline(text)
    if style in ("Title", "标题"):
        return "# " + clean_inline(text)
    if style.startswith("List"):
        return "- " + clean_inline(text)
    return text


def _table(table: Table) -> str | None:
    rows = table_rows([[cell.text for cell in row.cells] for row in table.rows])
    return pipe_table(rows) if rows else None


def _blocks(document: Document) -> list[str]:
    blocks = (_table(item) if isinstance(item, Table) else _paragraph(item) for item in document.iter_inner_content())
    return [block for block in blocks if block]


def _reason(exc: Exception) -> str:
    # python-docx names the stream object in this message, which says nothing to a reader.
    if isinstance(exc, ValueError) and "is not a Word file" in str(exc):
        return "the package holds no Word document"
    return f"{type(exc).__name__}: {exc}"


def parse_docx(path: Path, data: bytes) -> ParsedDocument:
    """A Word document; headings keep their level and tables become pipe tables."""
    try:
        document = docx.Document(io.BytesIO(data))
        body = "\n\n".join(_blocks(document))
        properties = document.core_properties
        title, author = properties.title, properties.author
    except _DOCX_ERRORS as exc:
        raise DocumentError(f"{path}: not a readable DOCX file ({_reason(exc)})") from exc
    return ParsedDocument(meta=declared_meta(title=title or title_from_body(body), author=author), body=body)
