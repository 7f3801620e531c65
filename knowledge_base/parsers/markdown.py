"""Markdown with YAML front matter, read as documents.load_document reads it."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import yaml

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument


def parse_markdown(path: Path, data: bytes) -> ParsedDocument:
    """The front matter is the metadata, the rest is the body."""
    try:
        text = data.decode("utf-8-sig")  # a BOM would hide the opening '---' from the front-matter parser
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    if not text.strip():
        raise DocumentError(f"{path}: empty file")
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise DocumentError(f"{path}: bad front matter ({exc})") from exc
    return ParsedDocument(meta=dict(post.metadata), body=post.content)
