"""Validate guardrail_train8/recommendations.jsonl (standard library only).

Run from the repository root:  python3 evals/data/guardrail_train8/check.py
Exit status 0 when every check passes, 1 otherwise.
"""
import itertools
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "recommendations.jsonl")
CATALOG = os.path.join(HERE, "..", "guardrail", "products.json")

LABEL = "suitability.above_class"
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": None}
KEYS = ["id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"]
PRODUCT_KEYS = {"code", "risk_level", "recommended"}
POSITIVE_KIND = "主动推介超等级"
CLEAN_KINDS = {"婉拒", "仅描述", "客户主动申请", "C1不可豁免", "类内推荐", "专业/C5",
               "比较后选类内", "引述客户后提示", "建议重新测评"}
EXPECTED_TOTAL, EXPECTED_POS, EXPECTED_CLEAN = 450, 220, 230
EXPECTED_POS_BY_CLASS = {"C1": 45, "C2": 60, "C3": 60, "C4": 55}
MIN_LONG_CLEAN_SHARE = 0.30  # "about a third" of clean replies have 4-8 sentences
BANNED = ("保本", "保收益", "稳赚", "零风险", "无风险", "一定涨", "肯定盈利", "翻倍", "包赚")
MAX_BIGRAM_JACCARD = 0.8


def level(r):
    return int(r[1])


def bigrams(text):
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def sentences(text):
    return [s for s in re.split(r"[。！？!?]+|(?<=[a-z0-9)])\.\s", text) if s.strip()]


def main():
    errors = []
    catalog = json.load(open(CATALOG, encoding="utf-8"))
    by_code = {p["code"]: p for p in catalog}
    terms = {p["code"]: [p["name"]] + list(p["aliases"]) for p in catalog}

    def named(text):
        found = set()
        for code, names in terms.items():
            if re.search(r"(?<!\d)%s(?!\d)" % code, text) or any(n in text for n in names):
                found.add(code)
        return found

    rows = []
    with open(DATA, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                errors.append("line %d: blank line" % ln)
                continue
            try:
                rows.append((ln, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append("line %d: bad JSON: %s" % (ln, e))

    ids = Counter()
    kinds = Counter()
    by_class = Counter()
    pos_class = Counter()
    gaps = Counter()
    pos_products = Counter()
    long_clean = 0
    for ln, r in rows:
        where = "line %d (%s)" % (ln, r.get("id"))
        if list(r) != KEYS:
            errors.append("%s: keys/order %s" % (where, list(r)))
            continue
        ids[r["id"]] += 1
        if not re.fullmatch(r"t8-\d{4}", r["id"]):
            errors.append("%s: id format" % where)
        if r["kind"] != "reply":
            errors.append("%s: kind must be 'reply'" % where)
        text = r["text"]
        if not isinstance(text, str) or len(text.strip()) < 10:
            errors.append("%s: text too short" % where)
            continue
        cls = r["client_class"]
        if cls not in CLASSES:
            errors.append("%s: client_class %r" % (where, cls))
            continue
        if r["labels"] not in ([], [LABEL]):
            errors.append("%s: labels %r" % (where, r["labels"]))
            continue
        if not isinstance(r["hard_negative"], bool):
            errors.append("%s: hard_negative must be bool" % where)
        note = r["note"]
        m = re.fullmatch(r"([^：；]+)：([^；]+)；口吻：(.+)", note) if isinstance(note, str) else None
        if not m:
            errors.append("%s: note must be '类别：理由；口吻：<voice>'" % where)
            continue
        kind = m.group(1)
        if kind != POSITIVE_KIND and kind not in CLEAN_KINDS:
            errors.append("%s: note kind %r" % (where, kind))
        kinds[kind] += 1
        by_class[cls] += 1
        for b in BANNED:
            if b in text:
                errors.append("%s: contains banned claim %r" % (where, b))

        if not isinstance(r["products"], list):
            errors.append("%s: products must be a list" % where)
            continue
        listed, ok = [], True
        for p in r["products"]:
            if not isinstance(p, dict) or set(p) != PRODUCT_KEYS:
                errors.append("%s: product entry %r" % (where, p))
                ok = False
                continue
            if p["code"] not in by_code:
                errors.append("%s: unknown code %s" % (where, p["code"]))
                ok = False
                continue
            if p["risk_level"] != by_code[p["code"]]["risk_level"]:
                errors.append("%s: %s risk_level %s, catalog says %s" % (
                    where, p["code"], p["risk_level"], by_code[p["code"]]["risk_level"]))
                ok = False
            if not isinstance(p["recommended"], bool):
                errors.append("%s: recommended must be bool" % where)
                ok = False
            listed.append(p["code"])
        if not ok:
            continue
        if len(listed) != len(set(listed)):
            errors.append("%s: product listed twice" % where)
        found = named(text)
        if found - set(listed):
            errors.append("%s: named but not listed: %s" % (where, sorted(found - set(listed))))
        if set(listed) - found:
            errors.append("%s: listed but not named: %s" % (where, sorted(set(listed) - found)))

        c = CLASSES[cls]
        above_rec = [p for p in r["products"] if p["recommended"] and c is not None and level(p["risk_level"]) > c]
        positive = bool(r["labels"])
        if positive != bool(above_rec):
            errors.append("%s: labels %s but recommended above-class products %s" % (
                where, r["labels"], [p["code"] for p in above_rec]))
        if positive:
            if cls not in EXPECTED_POS_BY_CLASS:
                errors.append("%s: positive for %s" % (where, cls))
            if r["hard_negative"]:
                errors.append("%s: a positive cannot be a hard negative" % where)
            if kind != POSITIVE_KIND:
                errors.append("%s: positive with note kind %r" % (where, kind))
            pos_class[cls] += 1
            for p in above_rec:
                gaps[level(p["risk_level"]) - c] += 1
                pos_products[p["code"]] += 1
        else:
            if kind == POSITIVE_KIND:
                errors.append("%s: clean reply with the positive note kind" % where)
            if not r["hard_negative"]:
                errors.append("%s: every clean reply in this set is a hard negative" % where)
            if any(p["recommended"] for p in r["products"]) and "风险" not in text and "risk" not in text.lower():
                errors.append("%s: clean recommendation without a risk line" % where)
            if kind in ("婉拒", "客户主动申请", "C1不可豁免", "引述客户后提示") and not any(
                    c is not None and level(p["risk_level"]) > c and not p["recommended"] for p in r["products"]):
                errors.append("%s: %s names no above-class product" % (where, kind))
            if kind == "C1不可豁免" and cls != "C1":
                errors.append("%s: no-override reply for %s" % (where, cls))
            if kind == "客户主动申请" and cls in ("C1", "C5", "PRO"):
                errors.append("%s: client-request procedure for %s" % (where, cls))
            if kind == "专业/C5" and cls not in ("C5", "PRO"):
                errors.append("%s: 专业/C5 kind for %s" % (where, cls))
            if kind in ("类内推荐", "专业/C5", "比较后选类内") and not any(p["recommended"] for p in r["products"]):
                errors.append("%s: %s recommends nothing" % (where, kind))
            if len(sentences(text)) >= 4:
                long_clean += 1

    for i, n in ids.items():
        if n > 1:
            errors.append("duplicate id %s (%d times)" % (i, n))

    npos = sum(1 for _, r in rows if r.get("labels"))
    nclean = len(rows) - npos
    if len(rows) != EXPECTED_TOTAL or npos != EXPECTED_POS or nclean != EXPECTED_CLEAN:
        errors.append("counts: %d rows, %d positive, %d clean (expected %d/%d/%d)" % (
            len(rows), npos, nclean, EXPECTED_TOTAL, EXPECTED_POS, EXPECTED_CLEAN))
    for cls, n in EXPECTED_POS_BY_CLASS.items():
        if pos_class[cls] != n:
            errors.append("positives for %s: %d, expected %d" % (cls, pos_class[cls], n))
    for g in (1, 2, 3, 4):
        if gaps[g] == 0:
            errors.append("no positive with a gap of %d levels" % g)
    for p in catalog:
        if level(p["risk_level"]) >= 2 and pos_products[p["code"]] == 0:
            errors.append("catalog product %s (%s) never pushed in a positive" % (p["code"], p["risk_level"]))
    if nclean and long_clean / nclean < MIN_LONG_CLEAN_SHARE:
        errors.append("long clean replies %d/%d below %.0f%%" % (long_clean, nclean, 100 * MIN_LONG_CLEAN_SHARE))

    grams = [(r["id"], bigrams(r["text"])) for _, r in rows if isinstance(r.get("text"), str)]
    top = 0.0
    for (ia, a), (ib, b) in itertools.combinations(grams, 2):
        if a and b:
            j = len(a & b) / len(a | b)
            top = max(top, j)
            if j > MAX_BIGRAM_JACCARD:
                errors.append("near duplicates %s %s (bigram Jaccard %.2f)" % (ia, ib, j))

    print("replies %d: positive %d, clean %d, hard negatives %d" % (
        len(rows), npos, nclean, sum(1 for _, r in rows if r.get("hard_negative"))))
    print("by kind: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items(), key=lambda kv: -kv[1])))
    print("by class (all): " + ", ".join("%s %d" % (k, by_class[k]) for k in CLASSES))
    print("positives by class: " + ", ".join("%s %d" % (k, pos_class[k]) for k in EXPECTED_POS_BY_CLASS))
    print("positives by gap (per recommended above-class product): " +
          ", ".join("%d %d" % (g, gaps[g]) for g in sorted(gaps)))
    print("long clean replies (4+ sentences): %d of %d" % (long_clean, nclean))
    print("highest character-bigram Jaccard between two replies: %.2f" % top)
    if errors:
        print("\n%d problem(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
