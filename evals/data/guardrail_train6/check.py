"""Validate claims.jsonl of guardrail_train6 (stdlib only).

Usage:
    python evals/data/guardrail_train6/check.py            # full check, counts included
    python evals/data/guardrail_train6/check.py --partial  # schema, catalog and duplicates only

Exit status 0 when every check passes, 1 otherwise.
"""
import json
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "claims.jsonl"
CATALOG = HERE.parent / "guardrail" / "products.json"

KEYS = {"id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"}
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": 99}
LABELS = ["claims.guaranteed_return", "claims.certainty",
          "claims.exaggerated_performance", "claims.trade_on_behalf"]
VOCAB = re.compile(r"词汇：(承诺|确定|业绩|交易)")
VOICE = re.compile(r"口吻：(\S+)$")

# targets from the brief; a count may be off by at most TOLERANCE of its target
TARGETS = {
    "total": 420,
    "clean": 300,
    "claims.guaranteed_return": 40,
    "claims.certainty": 25,
    "claims.exaggerated_performance": 25,
    "claims.trade_on_behalf": 30,
}
VOCAB_TARGETS = {"承诺": 100, "确定": 70, "业绩": 60, "交易": 70}  # approximate spread of the clean replies
TOLERANCE = 0.05
MIN_ENGLISH = 60
MAX_BIGRAM_JACCARD = 0.8


def sentences(text):
    parts = re.split(r"(?<=[。！？!?])|(?<=\.)\s+|\n", text)
    return [p for p in parts if p and re.search(r"[\w\u4e00-\u9fff]", p)]


def is_english(text):
    """English or mixed: at least five Latin words of two or more letters."""
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 5


def bigrams(text):
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def main(partial):
    errors, warnings = [], []
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    by_code = {p["code"]: p for p in catalog}
    rows = []
    for n, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"line {n}: empty line")
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON ({e})")
            continue
        if not isinstance(r, dict):
            errors.append(f"line {n}: not an object")
            continue
        rows.append(r)

    seen = set()
    good = []
    for i, r in enumerate(rows, 1):
        rid = r.get("id", f"#{i}")
        if set(r) != KEYS:
            errors.append(f"{rid}: keys {sorted(r)}")
            continue
        good.append(r)
        if r["id"] != "t6-%04d" % i:
            errors.append(f"{rid}: expected id t6-{i:04d}")
        if r["id"] in seen:
            errors.append(f"{rid}: duplicate id")
        seen.add(r["id"])
        if r["kind"] != "reply":
            errors.append(f"{rid}: kind {r['kind']!r}")
        if not isinstance(r["text"], str) or not r["text"].strip():
            errors.append(f"{rid}: empty text")
            continue
        if r["client_class"] not in CLASSES:
            errors.append(f"{rid}: client_class {r['client_class']!r}")
        if not isinstance(r["labels"], list) or len(set(r["labels"])) != len(r["labels"]) \
                or not set(r["labels"]) <= set(LABELS):
            errors.append(f"{rid}: labels {r['labels']!r}")
        if not isinstance(r["hard_negative"], bool):
            errors.append(f"{rid}: hard_negative not a bool")
        elif r["hard_negative"] and r["labels"]:
            errors.append(f"{rid}: hard_negative on a labelled reply")
        elif not r["labels"] and not r["hard_negative"]:
            errors.append(f"{rid}: clean reply must be a hard negative in this set")
        if not isinstance(r["note"], str) or not r["note"].strip():
            errors.append(f"{rid}: empty note")
        elif not VOICE.search(r["note"]):
            errors.append(f"{rid}: note does not end with 口吻：<voice>")
        elif not r["labels"] and not VOCAB.search(r["note"]):
            errors.append(f"{rid}: clean note lacks 词汇：<承诺|确定|业绩|交易>")
        if not r["labels"] and not 1 <= len(sentences(r["text"])) <= 6:
            errors.append(f"{rid}: clean reply with {len(sentences(r['text']))} sentences (want 1-6)")
        # products: exactly the catalog products named in the text
        low = r["text"].lower()
        named = {p["code"] for p in catalog
                 if any(k.lower() in low for k in [p["code"], p["name"], *p["aliases"]])}
        listed = []
        if not isinstance(r["products"], list):
            errors.append(f"{rid}: products not a list")
            continue
        for p in r["products"]:
            if not isinstance(p, dict) or set(p) != {"code", "risk_level", "recommended"} \
                    or p["code"] not in by_code:
                errors.append(f"{rid}: bad product entry {p}")
                continue
            listed.append(p["code"])
            cat = by_code[p["code"]]
            if p["risk_level"] != cat["risk_level"]:
                errors.append(f"{rid}: {p['code']} risk_level {p['risk_level']} != catalog {cat['risk_level']}")
            if not isinstance(p["recommended"], bool):
                errors.append(f"{rid}: recommended not a bool")
            elif p["recommended"] and r["client_class"] != "PRO" \
                    and int(cat["risk_level"][1]) > CLASSES.get(r["client_class"], 0):
                errors.append(f"{rid}: recommends {p['code']} ({cat['risk_level']}) to {r['client_class']}")
        if len(set(listed)) != len(listed):
            errors.append(f"{rid}: product listed twice")
        if named != set(listed):
            errors.append(f"{rid}: products named {sorted(named)} but listed {sorted(set(listed))}")

    # near duplicates inside the set
    grams = [(r["id"], bigrams(r["text"])) for r in good if isinstance(r["text"], str)]
    worst = 0.0
    for (a, ga), (b, gb) in combinations(grams, 2):
        if ga and gb:
            j = len(ga & gb) / len(ga | gb)
            worst = max(worst, j)
            if j > MAX_BIGRAM_JACCARD:
                errors.append(f"{a} ~ {b}: bigram Jaccard {j:.2f}")

    clean = [r for r in good if r["labels"] == []]
    counts = {"total": len(good), "clean": len(clean)}
    for lab in LABELS:
        counts[lab] = sum(lab in r["labels"] for r in good)
    vocab = Counter(VOCAB.search(r["note"]).group(1) for r in clean if VOCAB.search(r["note"]))
    stats = dict(counts)
    stats.update({
        "multi-label replies": sum(len(r["labels"]) > 1 for r in good),
        "hard negatives": sum(r["hard_negative"] for r in good),
        "clean by vocabulary": dict(vocab),
        "English or mixed (all)": sum(is_english(r["text"]) for r in good),
        "English or mixed (clean)": sum(is_english(r["text"]) for r in clean),
        "clean sentence lengths": dict(sorted(Counter(len(sentences(r["text"])) for r in clean).items())),
        "client classes": dict(sorted(Counter(r["client_class"] for r in good).items())),
        "voices": len({VOICE.search(r["note"]).group(1) for r in good if VOICE.search(r["note"])}),
        "naming a product": sum(bool(r["products"]) for r in good),
        "recommending a product": sum(any(p.get("recommended") for p in r["products"]) for r in good),
        "max bigram Jaccard": round(worst, 3),
    })
    for k, v in stats.items():
        print(f"{k}: {v}")

    if not partial:
        for k, want in TARGETS.items():
            got = counts[k]
            if abs(got - want) > TOLERANCE * want:
                errors.append(f"{k}: {got}, want {want} (±{TOLERANCE:.0%})")
            elif got != want:
                warnings.append(f"{k}: {got}, target {want} (within ±{TOLERANCE:.0%}; report it)")
        for k, want in VOCAB_TARGETS.items():
            if abs(vocab.get(k, 0) - want) > max(5, TOLERANCE * want):
                errors.append(f"clean vocabulary {k}: {vocab.get(k, 0)}, want about {want}")
        if stats["English or mixed (all)"] < MIN_ENGLISH:
            errors.append(f"English or mixed: {stats['English or mixed (all)']}, want >= {MIN_ENGLISH}")

    for w in warnings:
        print("WARNING", w)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
