"""HTML: visible text as Markdown; scripts, navigation, hidden elements and comments are dropped."""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, ParserRejectedMarkup, Tag, XMLParsedAsHTMLWarning
from bs4.dammit import EncodingDetector
from bs4.element import Comment, NavigableString, PageElement, PreformattedString

from knowledge_base.errors import DocumentError
from knowledge_base.parsers.base import ParsedDocument, clean_inline, declared_meta, decode_text, pipe_table, table_rows, title_from_body

# Not content: code, styling, site navigation and chrome, embedded frames and drawings.
_DROPPED_TAGS = ["script", "style", "noscript", "template", "nav", "footer", "iframe", "svg", "head"]
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = _HEADINGS | {
    "p", "div", "section", "article", "main", "header", "aside", "blockquote", "ul", "ol", "li",
    "table", "pre", "dl", "dt", "dd", "figure", "figcaption", "address", "body", "html", "center",
    "tbody", "thead", "tfoot", "tr", "td", "th", "caption",
}  # fmt: skip
_BLOCK_TAG_LIST = sorted(_BLOCK_TAGS)
# Pages labelled GB2312 or GBK routinely use characters only their superset GB18030 has.
_GB_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


def _decode(path: Path, data: bytes) -> str:
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    if declared and not data.startswith(codecs.BOM_UTF8):  # a byte-order mark outranks the declaration
        try:
            return data.decode(_GB_SUPERSET.get(declared.lower(), declared))
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown or wrong declaration is common on old pages: sniff as for text instead
    return decode_text(path, data)


def _is_hidden(tag: Tag) -> bool:
    # Text a browser does not show can carry instructions aimed at the model, not the reader.
    style = tag.get("style")
    return tag.has_attr("hidden") or tag.get("aria-hidden") == "true" or (isinstance(style, str) and bool(_HIDDEN_STYLE.search(style)))


def _text(node: PageElement) -> str:
    """The visible text under ``node``; comments, CDATA and declarations are never text."""
    elements = [node] if isinstance(node, NavigableString) else list(node.descendants) if isinstance(node, Tag) else []
    pieces: list[str] = []
    for element in elements:
        if isinstance(element, NavigableString) and not isinstance(element, PreformattedString):
            pieces.append(str(element))
        elif isinstance(element, Tag) and element.name == "br":
            pieces.append("\n")
    return "".join(pieces)


def _table_rows(table: Tag) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # a row of a nested table
        cells: list[str] = []
        for cell in row.find_all(["th", "td"], recursive=False):
            span = cell.get("colspan")
            # A spanned cell is repeated so the columns below it stay aligned.
            count = min(int(span), 50) if isinstance(span, str) and span.isdigit() and int(span) > 0 else 1
            cells.extend([clean_inline(_text(cell))] * count)
        rows.append(cells)
    return rows


def _table(table: Tag, out: list[str]) -> None:
    rows = table_rows(_table_rows(table))
    # Old pages lay out whole articles in tables: one with headings or tables inside, or with a
    # single row, is read as ordinary content so its headings and paragraphs survive.
    if rows is None or table.find(["table", *_HEADINGS]) is not None:
        _blocks(table, out)
        return
    caption = table.find("caption")
    if isinstance(caption, Tag):
        out.append(clean_inline(_text(caption)))
    out.append(pipe_table(rows))


def _list(tag: Tag, depth: int = 0) -> list[str]:
    """The items of a list, one line each; nested lists are indented under their item."""
    lines: list[str] = []
    for number, item in enumerate(tag.find_all("li", recursive=False), start=1):
        nested = [child for child in item.children if isinstance(child, Tag) and child.name in ("ul", "ol")]
        text = clean_inline("".join(_text(child) for child in item.children if not any(child is sub for sub in nested)))
        if text:
            lines.append("  " * depth + (f"{number}. " if tag.name == "ol" else "- ") + text)
        for sublist in nested:
            lines.extend(_list(sublist, depth + 1))
    return lines


def _block(tag: Tag, out: list[str]) -> None:
    if tag.name in _HEADINGS:
        text = clean_inline(_text(tag))
        if text:
            out.append("#" * int(tag.name[1]) + " " + text)
    elif tag.name == "table":
        _table(tag, out)
    elif tag.name in ("ul", "ol"):
        out.append("\n".join(_list(tag)))
    elif tag.name == "pre":
        out.append(_text(tag).strip("\n"))
    else:
        _blocks(tag, out)


def _blocks(node: Tag, out: list[str]) -> None:
    """Walk ``node``: block elements become blocks, runs of inline content become paragraphs."""
    inline: list[str] = []
    for child in node.children:
        if isinstance(child, Tag) and (child.name in _BLOCK_TAGS or child.find(_BLOCK_TAG_LIST) is not None):
            out.append(clean_inline("".join(inline)))
            inline = []
            _block(child, out)
        else:
            inline.append(_text(child))
    out.append(clean_inline("".join(inline)))


def _declared(soup: BeautifulSoup) -> dict[str, str]:
    found = {"title": soup.title.get_text() if soup.title else ""}
    for meta in soup.find_all("meta"):
        name, content = meta.get("name"), meta.get("content")
        if isinstance(name, str) and isinstance(content, str):
            found.setdefault(name.strip().lower(), content)
    return found


def parse_html(path: Path, data: bytes) -> ParsedDocument:
    """An HTML page, decoded with its declared charset."""
    with warnings.catch_warnings():
        # XHTML is parsed as HTML on purpose, and a page whose whole text looks like a URL is still a page.
        warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
        warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
        try:
            soup = BeautifulSoup(_decode(path, data), "lxml")
        except ParserRejectedMarkup as exc:
            raise DocumentError(f"{path}: not readable HTML ({exc})") from exc
    declared = _declared(soup)
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in [*soup.find_all(_DROPPED_TAGS), *soup.find_all(_is_hidden)]:
        if not tag.decomposed:  # already gone with a dropped ancestor
            tag.decompose()
    blocks: list[str] = []
    try:
        _blocks(soup, blocks)
    except RecursionError as exc:
        raise DocumentError(f"{path}: HTML nested too deeply to read") from exc
    body = "\n\n".join(block for block in blocks if block)
    title = declared["title"] or title_from_body(body)
    return ParsedDocument(meta=declared_meta(title=title, author=declared.get("author"), date=declared.get("date")), body=body)
