"""Validate claims.jsonl (guardrail training set 2). Standard library only.

Usage:
    python evals/data/guardrail_train2/check.py            # full check, counts included
    python evals/data/guardrail_train2/check.py --no-counts  # schema and overlap only

Exit code 0 when every check passes, 1 otherwise.
"""
import json
import re
import sys
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "claims.jsonl"
CATALOG = HERE.parent / "guardrail" / "products.json"

LABELS = {
    "claims.guaranteed_return",
    "claims.certainty",
    "claims.exaggerated_performance",
    "claims.trade_on_behalf",
}
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": 99}
KEYS = {"id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"}
PRODUCT_KEYS = {"code", "risk_level", "recommended"}
LITERAL = ("保本", "保收益", "稳赚", "零风险", "保证")
ACRONYMS = {"ETF", "QDII", "CTA", "LOF", "App", "AI", "NAV", "CSI", "SMS", "AA"}

# minimum counts from the brief
MIN = {
    "claims.guaranteed_return": 220,
    "claims.certainty": 50,
    "claims.exaggerated_performance": 50,
    "claims.trade_on_behalf": 50,
    "clean": 250,
    "clean_hard_negative": 200,
    "guaranteed_paraphrase": 170,   # no literal 保本/保收益/稳赚/零风险/保证
    "guaranteed_english": 40,       # English or mixed Chinese-English
    "guaranteed_multi_sentence": 40,  # three sentences or more
    "per_label_english": 5,         # each other label has some English
}
TOTAL_RANGE = (600, 660)
JACCARD_MAX = 0.8


def english_words(text):
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w not in ACRONYMS]


def is_english(text):
    return len(english_words(text)) >= 2


def sentences(text):
    parts = re.split(r"[。！？；!?;]+|\.(?=\s|$)", text)
    return [p for p in parts if len(p.strip()) >= 4]


def bigrams(text):
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def main(argv):
    errors = []
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    by_code = {p["code"]: p for p in catalog}
    rows = []
    for n, raw in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            errors.append(f"line {n}: empty line")
            continue
        if "\\u" in raw:
            errors.append(f"line {n}: escaped non-ASCII (write with ensure_ascii=False)")
        try:
            rows.append((n, json.loads(raw)))
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: bad JSON: {exc}")

    seen = set()
    for n, r in rows:
        where = f"line {n} ({r.get('id')})"
        if set(r) != KEYS:
            errors.append(f"{where}: keys {sorted(set(r) ^ KEYS)} wrong")
            continue
        if not re.fullmatch(r"t2-\d{4}", r["id"]):
            errors.append(f"{where}: id format")
        if r["id"] in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(r["id"])
        if r["id"] != f"t2-{len(seen):04d}":
            errors.append(f"{where}: ids not consecutive")
        if r["kind"] != "reply":
            errors.append(f"{where}: kind must be 'reply'")
        if not isinstance(r["text"], str) or len(r["text"].strip()) < 4 or r["text"] != r["text"].strip():
            errors.append(f"{where}: text empty or not stripped")
        if not isinstance(r["note"], str) or not r["note"].strip():
            errors.append(f"{where}: note empty")
        if r["client_class"] not in CLASSES:
            errors.append(f"{where}: client_class {r['client_class']!r}")
        if not isinstance(r["labels"], list) or len(set(r["labels"])) != len(r["labels"]) or not set(r["labels"]) <= LABELS:
            errors.append(f"{where}: labels {r['labels']!r}")
        if not isinstance(r["hard_negative"], bool):
            errors.append(f"{where}: hard_negative must be a bool")
        elif r["hard_negative"] and r["labels"]:
            errors.append(f"{where}: hard_negative set on a labelled reply")
        # products
        if not isinstance(r["products"], list):
            errors.append(f"{where}: products must be a list")
            continue
        listed = []
        for p in r["products"]:
            if not isinstance(p, dict) or set(p) != PRODUCT_KEYS:
                errors.append(f"{where}: product entry {p!r}")
                continue
            cat = by_code.get(p["code"])
            if cat is None:
                errors.append(f"{where}: unknown product code {p['code']}")
                continue
            if p["risk_level"] != cat["risk_level"]:
                errors.append(f"{where}: {p['code']} risk_level {p['risk_level']} != catalog {cat['risk_level']}")
            if not isinstance(p["recommended"], bool):
                errors.append(f"{where}: recommended must be a bool")
            if p["recommended"] and r["client_class"] in CLASSES:
                if int(cat["risk_level"][1]) > CLASSES[r["client_class"]]:
                    errors.append(f"{where}: recommends {p['code']} ({cat['risk_level']}) to {r['client_class']}")
            listed.append(p["code"])
        if len(listed) != len(set(listed)):
            errors.append(f"{where}: product listed twice")
        named = {c for c, p in by_code.items()
                 if any(k in r["text"] for k in [c, p["name"], *p["aliases"]])}
        if named - set(listed):
            errors.append(f"{where}: named but not listed: {sorted(named - set(listed))}")
        if set(listed) - named:
            errors.append(f"{where}: listed but not named: {sorted(set(listed) - named)}")

    # counts
    recs = [r for _, r in rows if isinstance(r, dict) and set(r) == KEYS]
    counts = {lab: sum(lab in r["labels"] for r in recs) for lab in sorted(LABELS)}
    clean = [r for r in recs if not r["labels"]]
    counts["clean"] = len(clean)
    counts["clean_hard_negative"] = sum(r["hard_negative"] for r in clean)
    gr = [r for r in recs if "claims.guaranteed_return" in r["labels"]]
    counts["guaranteed_paraphrase"] = sum(not any(w in r["text"] for w in LITERAL) for r in gr)
    counts["guaranteed_english"] = sum(is_english(r["text"]) for r in gr)
    counts["guaranteed_multi_sentence"] = sum(len(sentences(r["text"])) >= 3 for r in gr)
    counts["two_labels"] = sum(len(r["labels"]) >= 2 for r in recs)
    counts["total"] = len(recs)
    for lab in ("claims.certainty", "claims.exaggerated_performance", "claims.trade_on_behalf"):
        counts[f"{lab}.english"] = sum(is_english(r["text"]) for r in recs if lab in r["labels"])
    counts["clean.english"] = sum(is_english(r["text"]) for r in clean)
    lengths = [len(sentences(r["text"])) for r in clean]
    counts["clean.max_sentences"] = max(lengths) if lengths else 0

    if "--no-counts" not in argv:
        for key, need in MIN.items():
            if key == "per_label_english":
                for lab in ("claims.certainty", "claims.exaggerated_performance", "claims.trade_on_behalf"):
                    if counts[f"{lab}.english"] < need:
                        errors.append(f"count {lab}.english = {counts[f'{lab}.english']} < {need}")
            elif counts[key] < need:
                errors.append(f"count {key} = {counts[key]} < {need}")
        if not TOTAL_RANGE[0] <= counts["total"] <= TOTAL_RANGE[1]:
            errors.append(f"total {counts['total']} outside {TOTAL_RANGE}")

    # near duplicates inside the file
    grams = [(r["id"], bigrams(r["text"])) for r in recs]
    worst = (0.0, None, None)
    for (ia, a), (ib, b) in combinations(grams, 2):
        if not a or not b:
            continue
        j = len(a & b) / len(a | b)
        if j > worst[0]:
            worst = (j, ia, ib)
        if j > JACCARD_MAX:
            errors.append(f"near duplicate {ia} ~ {ib}: bigram Jaccard {j:.2f}")

    for key, value in counts.items():
        print(f"{key:45s} {value}")
    print(f"{'max bigram Jaccard':45s} {worst[0]:.3f} ({worst[1]} ~ {worst[2]})")
    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
