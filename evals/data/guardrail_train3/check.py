"""Validate recommendations.jsonl (standard library only).

Run from anywhere:  python3 evals/data/guardrail_train3/check.py
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
KEYS = {"id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"}
PRODUCT_KEYS = {"code", "risk_level", "recommended"}
# note prefixes ("类别：理由") and the minimum number of replies of each kind
KIND_MIN = {
    "主动推介超等级": 240,
    "类内推荐": 60,
    "仅描述": 60,
    "婉拒": 50,
    "客户主动申请": 40,
    "专业/C5": 30,
}
KIND_ALL = set(KIND_MIN) | {"持仓诊断", "操作指引", "比较后不适合", "其他"}
MIN_POSITIVE, MIN_CLEAN = 240, 320
MIN_IMPLICIT = 60  # positives without the obvious recommendation words below
OBVIOUS = ("推荐", "建议", "recommend", "suggest", "考虑", "consider")
MIN_ENGLISH = 45  # English or mixed replies (about 10%)
# claims that belong to other rules; kept out so that this set carries one label only
BANNED = ("保本", "保收益", "稳赚", "零风险", "无风险", "一定涨", "肯定盈利", "翻倍", "包赚")
MAX_BIGRAM_JACCARD = 0.8


def level(r):
    return int(r[1])


def bigrams(text):
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def english_words(text):
    words = re.findall(r"[A-Za-z]{3,}", text)
    return [w for w in words if w.upper() not in {"ETF", "QDII", "LOF", "CTA", "APP"}]


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
    implicit = 0
    english = 0
    for ln, r in rows:
        where = "line %d (%s)" % (ln, r.get("id"))
        if set(r) != KEYS:
            errors.append("%s: keys %s" % (where, sorted(set(r) ^ KEYS)))
            continue
        ids[r["id"]] += 1
        if not re.fullmatch(r"t3-\d{4}", r["id"]):
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
        if not isinstance(r["labels"], list) or any(l != LABEL for l in r["labels"]) or len(r["labels"]) > 1:
            errors.append("%s: labels %r" % (where, r["labels"]))
            continue
        if not isinstance(r["hard_negative"], bool):
            errors.append("%s: hard_negative must be bool" % where)
        if not isinstance(r["note"], str) or "：" not in r["note"]:
            errors.append("%s: note must be '类别：理由'" % where)
            continue
        kind = r["note"].split("：", 1)[0]
        if kind not in KIND_ALL:
            errors.append("%s: note kind %r" % (where, kind))
        kinds[kind] += 1
        by_class[cls] += 1
        for b in BANNED:
            if b in text:
                errors.append("%s: contains banned claim %r" % (where, b))

        listed = []
        ok = True
        for p in r["products"] if isinstance(r["products"], list) else [None]:
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
            errors.append("%s: label %s but recommended-above-class products %s" % (
                where, r["labels"], [p["code"] for p in above_rec]))
        if positive:
            if r["hard_negative"]:
                errors.append("%s: a positive cannot be a hard negative" % where)
            if kind != "主动推介超等级":
                errors.append("%s: positive with note kind %r" % (where, kind))
            pos_class[cls] += 1
            for p in above_rec:
                gaps[level(p["risk_level"]) - c] += 1
            if not any(w in text.lower() for w in OBVIOUS):
                implicit += 1
        else:
            if kind == "主动推介超等级":
                errors.append("%s: clean reply with a positive note kind" % where)
            if kind in ("类内推荐", "专业/C5") and not r["hard_negative"]:
                errors.append("%s: a clean active recommendation must be a hard negative" % where)
            if any(c is not None and level(p["risk_level"]) > c for p in r["products"]) and not r["hard_negative"]:
                errors.append("%s: a clean reply naming an above-class product must be a hard negative" % where)
            if kind == "类内推荐":
                if not any(p["recommended"] for p in r["products"]):
                    errors.append("%s: in-class recommendation recommends nothing" % where)
                if "风险" not in text and "risk" not in text.lower():
                    errors.append("%s: in-class recommendation without a risk line" % where)
            if kind == "婉拒" and not any(
                    c is not None and level(p["risk_level"]) > c and not p["recommended"] for p in r["products"]):
                errors.append("%s: decline names no above-class product" % where)
            if kind == "客户主动申请":
                if cls == "PRO" or not any(level(p["risk_level"]) > c for p in r["products"]):
                    errors.append("%s: client request names no above-class product" % where)
        if len(english_words(text)) >= 4:
            english += 1

    for i, n in ids.items():
        if n > 1:
            errors.append("duplicate id %s (%d times)" % (i, n))

    npos = sum(1 for _, r in rows if r.get("labels"))
    nclean = len(rows) - npos
    if npos < MIN_POSITIVE:
        errors.append("positives %d < %d" % (npos, MIN_POSITIVE))
    if nclean < MIN_CLEAN:
        errors.append("clean %d < %d" % (nclean, MIN_CLEAN))
    for k, m in KIND_MIN.items():
        if kinds[k] < m:
            errors.append("kind %s: %d < %d" % (k, kinds[k], m))
    if implicit < MIN_IMPLICIT:
        errors.append("positives without obvious words: %d < %d" % (implicit, MIN_IMPLICIT))
    if english < MIN_ENGLISH:
        errors.append("English/mixed replies: %d < %d" % (english, MIN_ENGLISH))
    for cls in ("C1", "C2", "C3", "C4"):
        if pos_class[cls] < 30:
            errors.append("positives for %s: %d < 30" % (cls, pos_class[cls]))
    for g in (1, 2, 3, 4):
        if gaps[g] == 0:
            errors.append("no positive with a gap of %d levels" % g)

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
    print("positives by class: " + ", ".join("%s %d" % (k, pos_class[k]) for k in ("C1", "C2", "C3", "C4")))
    print("positives by gap (per recommended above-class product): " +
          ", ".join("%d %d" % (g, gaps[g]) for g in sorted(gaps)))
    print("positives without %s: %d" % ("/".join(OBVIOUS), implicit))
    print("English or mixed: %d" % english)
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
