"""Turn a knowledge-base file of any supported format into Markdown plus metadata.

Markdown keeps its YAML front matter. Every other format takes its metadata from a sidecar
``<file>.meta.yaml`` (e.g. ``report.pdf.meta.yaml``) when there is one, else from what the file
itself declares (PDF document info, DOCX core properties, HTML ``<title>`` and ``<meta>``) or its
first heading or line as the title. A date or a type is never guessed: the caller fills defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument
from knowledge_base.parsers.html_page import parse_html
from knowledge_base.parsers.markdown import parse_markdown
from knowledge_base.parsers.pdf import parse_pdf
from knowledge_base.parsers.plain_text import parse_txt
from knowledge_base.parsers.tables import parse_csv, parse_xlsx
from knowledge_base.parsers.word import parse_docx

__all__ = ["SIDECAR_SUFFIX", "SUPPORTED_SUFFIXES", "ParsedDocument", "parse_file"]

Parser = Callable[[Path, bytes], ParsedDocument]

_PARSERS: dict[str, Parser] = {
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".txt": parse_txt,
    ".html": parse_html,
    ".htm": parse_html,
    ".pdf": parse_pdf,
    ".docx": parse_docx,
    ".csv": parse_csv,
    ".xlsx": parse_xlsx,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_PARSERS)
SIDECAR_SUFFIX = ".meta.yaml"


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise DocumentError(f"{path}: is a folder, not a file") from exc
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from exc
    if not data or data.isspace():
        raise DocumentError(f"{path}: empty file")
    return data


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The YAML mapping in ``<path>.meta.yaml``, or ``None`` when there is no sidecar."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return None
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: sidecar {sidecar.name} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read sidecar {sidecar.name} ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise DocumentError(f"{path}: bad YAML in sidecar {sidecar.name} ({exc})") from exc
    if not isinstance(meta, dict):
        raise DocumentError(f"{path}: sidecar {sidecar.name} is not a YAML mapping")
    return {str(key): value for key, value in meta.items()}


def parse_file(path: Path) -> ParsedDocument:
    """Parse one file of a supported format into Markdown and metadata.

    Raises :class:`DocumentError` whose message starts with the path, then says in plain English
    why the file cannot be used: no such file, unsupported format, empty file, not UTF-8 or
    GB18030 text, no text layer (scanned PDF?), empty table, a damaged file, ...
    """
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        raise DocumentError(f"{path}: unsupported format ({path.suffix or 'no suffix'})")
    document = parser(path, _read(path))
    if not document.body.strip():
        raise DocumentError(f"{path}: no body text")
    if parser is not parse_markdown:
        sidecar = read_sidecar(path)
        if sidecar is not None:
            document = document.model_copy(update={"meta": sidecar})
    return document
