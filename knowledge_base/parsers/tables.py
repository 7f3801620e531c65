"""CSV and XLSX product tables: every table becomes one Markdown pipe table, cells exactly as stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from lxml.etree import XMLSyntaxError
from openpyxl.utils.exceptions import InvalidFileException

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument, declared_meta, decode_text, pipe_table, table_rows

_DELIMITERS = (",", "\t", ";", "|")
# A damaged .xlsx fails as a bad zip archive, a zip compression method zipfile lacks
# (NotImplementedError), a missing part (KeyError), a value or part of the wrong kind (ValueError,
# InvalidFileException), bad compressed data, "no valid workbook part" (OSError), or bad XML
# (openpyxl parses some parts with lxml, others with ElementTree).
_XLSX_ERRORS = (
    zipfile.BadZipFile, NotImplementedError, KeyError, ValueError, InvalidFileException,
    zlib.error, EOFError, OSError, XMLSyntaxError, ParseError,
)  # fmt: skip
# Between these magnitudes a float is written out in full ("0.00001"); beyond them repr's
# exponent form ("1e-09") is kept, as the full form would be a long run of zeros.
_PLAIN_FLOAT_RANGE = (1e-6, 1e16)


def _delimiter(text: str) -> str:
    # The header line decides: a Sniffer also guesses quote characters, and guesses them wrong
    # on Chinese text with apostrophes.
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(_DELIMITERS, key=header.count) if any(d in header for d in _DELIMITERS) else ","


def parse_csv(path: Path, data: bytes) -> ParsedDocument:
    """A CSV table in UTF-8 or GB18030; every cell is kept as text, so codes keep their zeros."""
    text = decode_text(path, data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise DocumentError(f"{path}: malformed CSV ({exc})") from exc
    table = table_rows(rows)
    if table is None:
        raise DocumentError(f"{path}: empty table")
    return ParsedDocument(meta={}, body=pipe_table(table))


def _number_text(value: int | float, number_format: str) -> str:
    if isinstance(value, float) and not value.is_integer():
        if _PLAIN_FLOAT_RANGE[0] <= abs(value) < _PLAIN_FLOAT_RANGE[1]:
            return format(Decimal(repr(value)), "f")  # repr is the shortest exact form: 0.012 stays 0.012
        return repr(value)
    if isinstance(value, float) and abs(value) >= _PLAIN_FLOAT_RANGE[1]:
        return repr(value)
    text = str(int(value))
    # A code typed as a number shows its zeros through a "000000" format: 901 is fund 000901.
    return text.zfill(len(number_format)) if re.fullmatch(r"0+", number_format) else text


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's value as text without losing precision: integers without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number_text(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _sheets(data: bytes) -> tuple[list[tuple[str, list[list[str]]]], dict[str, Any]]:
    with warnings.catch_warnings():
        # openpyxl warns about features it does not read (data validation, conditional formatting,
        # missing default styles); none of them changes a cell's value.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = []
            for sheet in workbook.worksheets:
                sheet.reset_dimensions()  # the stored size is often wrong; read every row there is
                rows = [[cell_text(cell.value, cell.number_format or "General") for cell in row] for row in sheet.iter_rows()]
                sheets.append((str(sheet.title), rows))
            properties = {"title": workbook.properties.title, "author": workbook.properties.creator}
        finally:
            workbook.close()
    return sheets, properties


def parse_xlsx(path: Path, data: bytes) -> ParsedDocument:
    """An Excel workbook: each sheet with data becomes a '## <sheet name>' section with its table."""
    try:
        sheets, properties = _sheets(data)
    except _XLSX_ERRORS as exc:
        raise DocumentError(f"{path}: not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
    sections = [f"## {name}\n\n{pipe_table(rows)}" for name, raw in sheets if (rows := table_rows(raw))]
    if not sections:
        raise DocumentError(f"{path}: empty table")
    return ParsedDocument(meta=declared_meta(title=properties["title"], author=properties["author"]), body="\n\n".join(sections))
