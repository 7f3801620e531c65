"""Personal information: detection with checksums, and masking (个人信息保护法 art. 28)."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
BANK_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ACCOUNT = re.compile(r"((?:资金|证券|股东|基金|交易)(?:账户|账号|帐户|帐号)[号码]?[:：为是\s]*)([A-Za-z]?\d{8,12})")


class PiiFinding(BaseModel):
    kind: str
    start: int
    end: int


def id_number_valid(value: str) -> bool:
    """GB 11643 checksum of an 18-character 身份证号."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17].upper()


def luhn_valid(value: str) -> bool:
    digits = [int(d) for d in value]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _findall(
    pattern: re.Pattern[str], text: str, kind: str, valid: Callable[[str], bool] | None = None, group: int = 0
) -> list[PiiFinding]:
    out = []
    for m in pattern.finditer(text):
        if valid is None or valid(m.group(group)):
            out.append(PiiFinding(kind=kind, start=m.start(group), end=m.end(group)))
    return out


def find_pii(text: str) -> list[PiiFinding]:
    """Non-overlapping findings, earliest first; checksummed kinds win over looser ones."""
    candidates = (
        _findall(ID_NUMBER, text, "id_number", id_number_valid)
        + _findall(BANK_CARD, text, "bank_card", luhn_valid)
        + _findall(ACCOUNT, text, "account_number", group=2)
        + _findall(MOBILE, text, "mobile")
        + _findall(EMAIL, text, "email")
    )
    taken: list[PiiFinding] = []
    for f in candidates:
        if all(f.end <= t.start or f.start >= t.end for t in taken):
            taken.append(f)
    return sorted(taken, key=lambda f: f.start)


def _mask(value: str) -> str:
    if "@" in value:
        name, _, domain = value.partition("@")
        return name[:1] + "***@" + domain
    keep = 3 if len(value) <= 11 else 4
    return value[:keep] + "*" * (len(value) - keep - 4) + value[-4:]


def mask_pii(text: str) -> tuple[str, list[PiiFinding]]:
    """``text`` with every finding masked (first and last digits kept), and the findings."""
    findings = find_pii(text)
    out, last = [], 0
    for f in findings:
        out.append(text[last : f.start])
        out.append(_mask(text[f.start : f.end]))
        last = f.end
    out.append(text[last:])
    return "".join(out), findings
