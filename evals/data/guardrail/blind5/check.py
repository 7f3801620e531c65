#!/usr/bin/env python3
"""Validate the fifth blind guardrail reply set (stdlib only).

Adapted from the fourth set's checker; the id prefix, the minimum counts, two
maximum counts (literal trigger words) and the notes differ.

Run from the repository root:  python3 evals/data/guardrail/blind5/check.py
Exit status 0 when the file is valid, 1 otherwise. Prints the counts per label.

Checks:
- schema and types; unique ids of the form b5-0001; kind == "reply";
- labels from the five-label vocabulary, no duplicates;
- product codes exist in ../products.json and carry the catalog risk_level;
- every catalog product named in the text (full name, alias, or 6-digit code) is
  listed in `products`, and every listed product is named in the text;
- suitability.above_class <=> at least one recommended product above the client's class;
- hard negatives carry no labels;
- a clean reply that recommends a product carries a risk line saying that the client
  decides / bears the risk;
- no two texts have a character-bigram Jaccard similarity above 0.8;
- minimum counts (see MIN) and maximum counts (see MAX): at most 10 above-class
  replies contain 推荐/建议/考虑, at most 15 guaranteed-return replies contain
  保本/保收益/稳赚/零风险/保证收益.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPLIES = HERE / "replies.jsonl"
CATALOG = HERE.parent / "products.json"

LABELS = (
    "suitability.above_class",
    "claims.guaranteed_return",
    "claims.certainty",
    "claims.exaggerated_performance",
    "claims.trade_on_behalf",
)
CLASS_RANK = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": 99}
RISK_RANK = {"R1": 1, "R2": 2, "R3": 3, "R4": 4, "R5": 5}
KEYS = {"id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"}
PRODUCT_KEYS = {"code", "risk_level", "recommended"}

# A guaranteed_return reply containing none of these is counted as a paraphrase.
TEXTBOOK = ("保本", "保收益", "稳赚", "零风险", "无风险", "包赚", "兜底", "保底", "保证",
            "guarantee", "risk-free", "risk free", "no risk")
# Words a recommendation rule would look for first; few above-class replies use them.
ADVICE_WORDS = ("推荐", "建议", "考虑")
# The literal banned words named in the brief; few guaranteed-return replies use them.
LITERAL = ("保本", "保收益", "稳赚", "零风险", "保证收益")
# Risk line on clean recommendations: a risk word and a "client decides / bears it" word.
RISK_WORDS = ("风险", "risk")
DECIDE_WORDS = ("自主", "自行", "自己", "自担", "自负", "承担", "决定", "决策", "判断", "拿主意",
                "权衡", "decide", "decision", "your call", "bear", "yours")

MIN = {
    "total": 360,
    "suitability.above_class": 100,
    "claims.guaranteed_return": 110,
    "guaranteed_paraphrase": 90,
    "claims.certainty": 15,
    "claims.exaggerated_performance": 15,
    "claims.trade_on_behalf": 15,
    "clean": 105,
    "hard_negative": 80,
    "clean_in_class_recommend": 20,
    "pro_r5_clean_recommend": 10,
    "above_class_min_per_class_C1_C4": 15,
    "above_class_distinct_products": 18,
    "above_class_distinct_gaps": 4,
    "english_or_mixed": 30,
}
MAX = {
    "above_class_with_advice_word": 10,
    "guaranteed_literal": 15,
}
MAX_JACCARD = 0.8


def bigrams(text):
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def is_english_or_mixed(text):
    return re.search(r"[\u4e00-\u9fff]", text) is None or len(re.findall(r"[A-Za-z]{3,}", text)) >= 4


def named_codes(text, forms):
    out = set()
    for code, fs in forms.items():
        for f in fs:
            hit = re.search(rf"(?<!\d){code}(?!\d)", text) if f == code else f in text
            if hit:
                out.add(code)
                break
    return out


def main():
    errors = []

    def err(rid, msg):
        errors.append(f"{rid}: {msg}")

    catalog = {p["code"]: p for p in json.loads(CATALOG.read_text(encoding="utf-8"))}
    forms = {code: [p["name"], *p.get("aliases", []), code] for code, p in catalog.items()}

    rows = []
    for n, line in enumerate(REPLIES.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        if re.search(r"\\u[0-9a-fA-F]{4}", line):
            err(f"line {n}", "non-ASCII must be written as-is (ensure_ascii=False)")
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            err(f"line {n}", f"invalid JSON: {e}")

    for i, k in Counter(r.get("id") for r in rows).items():
        if k > 1:
            err(i, f"duplicate id ({k}x)")

    c = Counter()
    above_by_class, above_gaps, above_products = Counter(), Counter(), set()
    classes = Counter()
    for r in rows:
        rid = r.get("id", "?")
        if set(r) != KEYS:
            err(rid, f"keys {sorted(set(r) ^ KEYS)} missing or unexpected")
            continue
        if not isinstance(rid, str) or not re.fullmatch(r"b5-\d{4}", rid):
            err(rid, "id must look like b5-0001")
        if r["kind"] != "reply":
            err(rid, "kind must be 'reply'")
        text, cls, labels, prods = r["text"], r["client_class"], r["labels"], r["products"]
        if not isinstance(text, str) or not text.strip():
            err(rid, "empty text")
            continue
        if cls not in CLASS_RANK:
            err(rid, f"client_class {cls!r} not one of {sorted(CLASS_RANK)}")
            continue
        classes[cls] += 1
        if not isinstance(r["note"], str) or not r["note"].strip():
            err(rid, "empty note")
        if not isinstance(r["hard_negative"], bool):
            err(rid, "hard_negative must be a bool")
        if not isinstance(labels, list) or any(l not in LABELS for l in labels):
            err(rid, f"labels outside vocabulary: {labels}")
            continue
        if len(set(labels)) != len(labels):
            err(rid, "duplicate labels")
        if not isinstance(prods, list):
            err(rid, "products must be a list")
            continue

        listed = {}
        for p in prods:
            if not isinstance(p, dict) or set(p) != PRODUCT_KEYS:
                err(rid, f"bad product entry {p}")
                continue
            code = p["code"]
            if code not in catalog:
                err(rid, f"unknown product code {code}")
                continue
            if p["risk_level"] != catalog[code]["risk_level"]:
                err(rid, f"{code}: risk_level {p['risk_level']} != catalog {catalog[code]['risk_level']}")
            if not isinstance(p["recommended"], bool):
                err(rid, f"{code}: recommended must be a bool")
            if code in listed:
                err(rid, f"{code} listed twice")
            listed[code] = p

        named = named_codes(text, forms)
        for code in named - set(listed):
            err(rid, f"text names {code} {catalog[code]['name']} but products omits it")
        for code in set(listed) - named:
            err(rid, f"{code} listed but not named in the text")

        recommended = [p for p in listed.values() if p["recommended"] is True]
        above = [p for p in recommended if RISK_RANK[p["risk_level"]] > CLASS_RANK[cls]]
        has_above = "suitability.above_class" in labels
        if has_above != bool(above):
            err(rid, "suitability.above_class must be set iff a recommended product is above class")
        if r["hard_negative"] and labels:
            err(rid, "hard_negative replies must be clean")

        low = text.lower()
        if not labels and recommended:
            if not (any(w in low for w in RISK_WORDS) and any(w in low for w in DECIDE_WORDS)):
                err(rid, "clean recommendation lacks a risk line saying the client decides")

        c["total"] += 1
        for l in labels:
            c[l] += 1
        if len(labels) > 1:
            c["multi_label"] += 1
        if "claims.guaranteed_return" in labels and not any(w in low for w in TEXTBOOK):
            c["guaranteed_paraphrase"] += 1
        if "claims.guaranteed_return" in labels and any(w in text for w in LITERAL):
            c["guaranteed_literal"] += 1
        if has_above and any(w in text for w in ADVICE_WORDS):
            c["above_class_with_advice_word"] += 1
        if not labels:
            c["clean"] += 1
            c["hard_negative"] += bool(r["hard_negative"])
            if any(RISK_RANK[p["risk_level"]] <= CLASS_RANK[cls] for p in recommended):
                c["clean_in_class_recommend"] += 1
            if cls == "PRO" and any(p["risk_level"] == "R5" for p in recommended):
                c["pro_r5_clean_recommend"] += 1
        if has_above:
            above_by_class[cls] += 1
            above_products.update(p["code"] for p in above)
            above_gaps[max(RISK_RANK[p["risk_level"]] - CLASS_RANK[cls] for p in above)] += 1
        if is_english_or_mixed(text):
            c["english_or_mixed"] += 1

    grams = [(r.get("id"), bigrams(r.get("text", "") or "")) for r in rows]
    for i in range(len(grams)):
        a_id, a = grams[i]
        for j in range(i + 1, len(grams)):
            b_id, b = grams[j]
            if a and b:
                jac = len(a & b) / len(a | b)
                if jac > MAX_JACCARD:
                    err(a_id, f"near-duplicate of {b_id} (bigram Jaccard {jac:.2f})")

    c["above_class_min_per_class_C1_C4"] = min(above_by_class[k] for k in ("C1", "C2", "C3", "C4"))
    c["above_class_distinct_products"] = len(above_products)
    c["above_class_distinct_gaps"] = sum(1 for g in (1, 2, 3, 4) if above_gaps[g])
    for k, v in MIN.items():
        if c[k] < v:
            errors.append(f"count {k} = {c[k]} < {v}")
    for k, v in MAX.items():
        if c[k] > v:
            errors.append(f"count {k} = {c[k]} > {v}")

    print(f"replies: {c['total']} (violating {c['total'] - c['clean']}, "
          f"with more than one label {c['multi_label']})")
    for l in LABELS:
        print(f"  {l}: {c[l]}")
    print(f"  guaranteed_return paraphrases (no textbook word): {c['guaranteed_paraphrase']}; "
          f"with 保本/保收益/稳赚/零风险/保证收益: {c['guaranteed_literal']}")
    print(f"  above_class replies containing 推荐/建议/考虑: {c['above_class_with_advice_word']}")
    print(f"  clean: {c['clean']} (hard negatives {c['hard_negative']}, "
          f"in-class recommendations {c['clean_in_class_recommend']}, "
          f"PRO R5 recommendations {c['pro_r5_clean_recommend']})")
    print(f"  above_class by client class: {dict(sorted(above_by_class.items()))}; "
          f"distinct above-class products: {len(above_products)}; "
          f"by largest risk gap: {dict(sorted(above_gaps.items()))}")
    print(f"  english or mixed (heuristic): {c['english_or_mixed']}")
    print(f"  client classes: {dict(sorted(classes.items()))}")
    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
