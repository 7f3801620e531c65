"""Grounding of figures: every percentage, amount, price and date in a reply must appear in what
the model was given (cited passages, the client's records, tool results) after normalisation.

Figures are compared by value: "1.2亿" = "12000万" = "120,000,000", "3.50%" = "3.5%", "２０２５年"
= "2025年". Bare small numbers ("分3次") are not figures. Pure functions; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

UNIT = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "万亿": 1e12}
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|个百分点)")
AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|百万|万|亿|千)?\s*(元|块|港元|美元|港币|份|股)")
SCALED = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|百万|万|亿)")
DATE = re.compile(r"((?:19|20)\d{2})\s*(?:年|[-/.])\s*(?:(\d{1,2})\s*(?:月|[-/.])\s*(?:(\d{1,2})\s*日?)?)?")
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


@dataclass(frozen=True)
class Figure:
    kind: str  # percent | amount | date
    value: str
    text: str


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def _num(raw: str, scale: float = 1.0) -> str:
    value = float(raw) * scale
    return f"{value:.6f}".rstrip("0").rstrip(".")


def figures_in(text: str) -> list[Figure]:
    """The checkable figures of ``text``: percentages, amounts (with units or 万/亿), dates."""
    text = _clean(text)
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < end and start < m.end() for start, end in taken)

    for m in DATE.finditer(text):
        if m.group(2) or "年" in m.group(0):
            value = "-".join(p for p in (m.group(1), m.group(2) and f"{int(m.group(2)):02d}", m.group(3) and f"{int(m.group(3)):02d}") if p)
            found.append(Figure("date", value, m.group(0)))
            taken.append(m.span())
    for m in PERCENT.finditer(text):
        if free(m):
            found.append(Figure("percent", _num(m.group(1)), m.group(0)))
            taken.append(m.span())
    for pattern in (AMOUNT, SCALED):
        for m in pattern.finditer(text):
            if free(m):
                found.append(Figure("amount", _num(m.group(1), UNIT.get(m.group(2) or "", 1.0)), m.group(0)))
                taken.append(m.span())
    return found


def evidence_values(texts: list[str]) -> set[str]:
    """Every value a figure may take from ``texts``: the figures, and every plain number (a
    table cell "1.20" backs "1.2%"), also scaled by 万/亿."""
    values: set[str] = set()
    for text in texts:
        clean = _clean(text)
        values |= {f.value for f in figures_in(clean)}
        values |= {_num(n) for n in re.findall(r"\d+(?:\.\d+)?", clean)}
    return values


def unsupported_figures(sentence: str, evidence: set[str]) -> list[Figure]:
    out = []
    for fig in figures_in(sentence):
        if fig.kind == "date":
            # A date is backed when its year-month (or year) appears in the evidence.
            parts = fig.value.split("-")
            if any("-".join(parts[:n]) in evidence for n in range(len(parts), 0, -1)):
                continue
        elif fig.value in evidence:
            continue
        out.append(fig)
    return out


def evidence_set(evidence_texts: list[str]) -> set[str]:
    """The values figures may take, from everything the model was given."""
    evidence = evidence_values(evidence_texts)
    evidence |= {"-".join(f.value.split("-")[:n]) for t in evidence_texts for f in figures_in(t) if f.kind == "date" for n in (1, 2, 3)}
    return evidence


def drop_ungrounded(text: str, evidence_texts: list[str]) -> tuple[str, list[str]]:
    """``text`` without the sentences whose figures appear in no evidence, and those sentences."""
    evidence = evidence_set(evidence_texts)
    kept: list[str] = []
    dropped: list[str] = []
    for raw in SENTENCE.findall(text):
        sentence = str(raw)
        (dropped if unsupported_figures(sentence, evidence) else kept).append(sentence)
    return "".join(kept).strip(), [s.strip() for s in dropped]
