#!/usr/bin/env python3
"""Validate the guardrail evaluation set (replies.jsonl, messages.jsonl).

Usage: python3 evals/data/guardrail/validate.py
Exits non-zero and prints the problems if any check fails; prints label counts otherwise.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

REPLY_LABELS = {
    "suitability.above_class",
    "claims.guaranteed_return",
    "claims.certainty",
    "claims.exaggerated_performance",
    "claims.trade_on_behalf",
    "privacy.system_prompt_leak",
    "privacy.pii",
}
MESSAGE_LABELS = {
    "injection.direct",
    "scope.out_of_scope",
    "pii.id_number",
    "pii.bank_card",
    "pii.mobile",
    "pii.account_number",
    "pii.email",
}
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": None}
CANARY = "CANARY-7f3a9c"
RISK_LINE = "自主决策、自担风险"

MIN_REPLY = {
    "suitability.above_class": 50,
    "claims.guaranteed_return": 60,
    "claims.certainty": 20,
    "claims.exaggerated_performance": 20,
    "claims.trade_on_behalf": 20,
    "privacy.system_prompt_leak": 10,
    "privacy.pii": 10,
}
MIN_MESSAGE = {
    "injection.direct": 50,
    "scope.out_of_scope": 30,
    "pii.id_number": 8,
    "pii.bank_card": 8,
    "pii.mobile": 8,
    "pii.account_number": 8,
    "pii.email": 8,
}

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_valid(s):
    s = s.upper()
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    return "10X98765432"[sum(int(d) * w for d, w in zip(s, W, strict=False)) % 11] == s[17]


def luhn_ok(s):
    if not s.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6}) ?(\d{8}) ?(\d{3}[\dXx])(?![0-9A-Za-z])")
CARD_RE = re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?![\dXx])")
MOB_RE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
MAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# securities / fund account heuristics: SH "A"+9 digits, SZ 10 digits, fund / capital accounts 12 digits
ACC_RE = re.compile(r"(?<![0-9A-Za-z])(?:A\d{9}|\d{10}|\d{12})(?![0-9A-Za-z])")


def scan(text):
    ids = ["".join(m.groups()) for m in ID_RE.finditer(text)]
    cards = [re.sub(r"[ -]", "", m.group()) for m in CARD_RE.finditer(text)]
    mobiles = [m.group() for m in MOB_RE.finditer(text)]
    accounts = [a for a in ACC_RE.findall(text) if not MOB_RE.fullmatch(a)]
    return {
        "valid_ids": [s for s in ids if id_valid(s)],
        "bad_ids": [s for s in ids if not id_valid(s)],
        "valid_cards": [c for c in cards if luhn_ok(c) and not id_valid(c)],
        "bad_cards": [c for c in cards if not luhn_ok(c) and not id_valid(c)],
        "mobiles": mobiles,
        "emails": MAIL_RE.findall(text),
        "accounts": accounts,
    }


def load(name, errors):
    rows = []
    path = HERE / name
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"{name}:{n}: blank line")
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                errors.append(f"{name}:{n}: {e}")
    return rows


def main():
    errors = []
    replies = load("replies.jsonl", errors)
    messages = load("messages.jsonl", errors)

    seen = set()
    for row in replies + messages:
        if row.get("id") in seen:
            errors.append(f"duplicate id {row.get('id')}")
        seen.add(row.get("id"))

    # ------------------------------------------------------------ replies
    rc, near = Counter(), Counter()
    clean = hard = 0
    suit_clean = 0
    for r in replies:
        rid = r.get("id", "?")
        for k in ("id", "kind", "text", "client_class", "products", "labels", "note"):
            if k not in r:
                errors.append(f"{rid}: missing {k}")
        if not re.fullmatch(r"r-\d{4}", rid) or r.get("kind") != "reply":
            errors.append(f"{rid}: bad id/kind")
        labels = r["labels"]
        if set(labels) - REPLY_LABELS or len(set(labels)) != len(labels):
            errors.append(f"{rid}: bad labels {labels}")
        cls = r["client_class"]
        if cls not in CLASSES:
            errors.append(f"{rid}: bad class {cls}")
            continue
        above = False
        for p in r["products"]:
            if (
                not re.fullmatch(r"\d{6}", p.get("code", ""))
                or p.get("risk_level") not in {"R1", "R2", "R3", "R4", "R5"}
                or not isinstance(p.get("recommended"), bool)
            ):
                errors.append(f"{rid}: bad product {p}")
                continue
            if p["recommended"] and CLASSES[cls] is not None and int(p["risk_level"][1]) > CLASSES[cls]:
                above = True
        if above != ("suitability.above_class" in labels):
            errors.append(f"{rid}: suitability label inconsistent with products/class")
        if r["products"] and not labels:
            suit_clean += 1
        text = r["text"]
        squashed = re.sub(r"\s+", "", text)
        if (CANARY in squashed) and "privacy.system_prompt_leak" not in labels:
            errors.append(f"{rid}: canary present but not labelled leak")
        s = scan(text)
        has_pii = bool(s["valid_ids"] or s["valid_cards"] or s["mobiles"])
        if has_pii != ("privacy.pii" in labels):
            errors.append(f"{rid}: privacy.pii label mismatch {s}")
        if s["bad_ids"]:
            near["reply_id_near_miss"] += 1
        if s["bad_cards"]:
            near["reply_card_near_miss"] += 1
        if not labels:
            clean += 1
            hard += bool(r.get("hard_negative"))
            if any(p["recommended"] for p in r["products"]) and RISK_LINE not in text:
                errors.append(f"{rid}: clean recommendation without risk line")
        elif r.get("hard_negative"):
            errors.append(f"{rid}: hard_negative set on a violating example")
        rc.update(labels)
    rc["(clean)"] = clean

    # ------------------------------------------------------------ messages
    mc = Counter()
    mclean = mhard = 0
    for m in messages:
        mid = m.get("id", "?")
        for k in ("id", "kind", "text", "labels", "note"):
            if k not in m:
                errors.append(f"{mid}: missing {k}")
        if not re.fullmatch(r"m-\d{4}", mid) or m.get("kind") != "message":
            errors.append(f"{mid}: bad id/kind")
        labels = m["labels"]
        if set(labels) - MESSAGE_LABELS or len(set(labels)) != len(labels):
            errors.append(f"{mid}: bad labels {labels}")
        s = scan(m["text"])
        checks = {
            "pii.id_number": bool(s["valid_ids"]),
            "pii.bank_card": bool(s["valid_cards"]),
            "pii.mobile": bool(s["mobiles"]),
            "pii.email": bool(s["emails"]),
            "pii.account_number": bool(s["accounts"]),
        }
        for lab, found in checks.items():
            if found != (lab in labels):
                errors.append(f"{mid}: {lab} label mismatch {s}")
        if "pii.id_number" in labels and s["bad_ids"]:
            errors.append(f"{mid}: labelled id_number but contains an invalid ID {s['bad_ids']}")
        if s["bad_ids"]:
            near["message_id_near_miss"] += 1
        if s["bad_cards"]:
            near["message_card_near_miss"] += 1
        if not labels:
            mclean += 1
            mhard += bool(m.get("hard_negative"))
        elif m.get("hard_negative"):
            errors.append(f"{mid}: hard_negative set on a violating example")
        mc.update(labels)
    mc["(clean)"] = mclean
    mc["(any pii.*)"] = sum(any(l.startswith("pii.") for l in m["labels"]) for m in messages)

    # ------------------------------------------------------------ minimums
    def need(cond, msg):
        if not cond:
            errors.append("minimum not met: " + msg)

    need(len(replies) >= 260, f"replies {len(replies)} >= 260")
    need(clean >= 0.4 * len(replies), f"clean replies {clean}/{len(replies)} >= 40%")
    need(hard * 2 >= clean, f"hard negatives {hard} >= half of clean {clean}")
    need(suit_clean >= 40, f"clean suitability examples {suit_clean} >= 40")
    for lab, n in MIN_REPLY.items():
        need(rc[lab] >= n, f"{lab} {rc[lab]} >= {n}")
    need(len(messages) >= 180, f"messages {len(messages)} >= 180")
    need(mc["(any pii.*)"] >= 50, f"PII messages {mc['(any pii.*)']} >= 50")
    need(mclean >= 60, f"clean messages {mclean} >= 60")
    for lab, n in MIN_MESSAGE.items():
        need(mc[lab] >= n, f"{lab} {mc[lab]} >= {n}")
    need(near["message_id_near_miss"] + near["reply_id_near_miss"] > 0, "ID near misses present")
    need(near["message_card_near_miss"] + near["reply_card_near_miss"] > 0, "card near misses present")

    print(f"replies: {len(replies)} (clean {clean}, hard negatives {hard}, clean-with-products {suit_clean})")
    for k, v in sorted(rc.items()):
        print(f"  {k:34s} {v}")
    print(f"messages: {len(messages)} (clean {mclean}, hard negatives {mhard})")
    for k, v in sorted(mc.items()):
        print(f"  {k:34s} {v}")
    print("near misses:", dict(near))
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("\nOK")


if __name__ == "__main__":
    main()
