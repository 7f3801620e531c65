"""Validate claims.jsonl of guardrail_train9 (stdlib only).

Usage:
    python3 evals/data/guardrail_train9/check.py            # full check, counts included
    python3 evals/data/guardrail_train9/check.py --partial  # schema, catalog and duplicates only

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
LABEL = "claims.trade_on_behalf"
NOTE = re.compile(r"^\S.*；词汇：交易；口吻：(\S+)$")

# targets from the brief (exact)
TARGETS = {"total": 360, "clean": 240, LABEL: 120}
MIN_LONG_CLEAN = 70           # "about a third" of 240 clean replies run 4-8 sentences
MAX_CLEAN_SENTENCES = 8
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
    errors = []
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

    seen, good = set(), []
    for i, r in enumerate(rows, 1):
        rid = r.get("id", f"#{i}")
        if set(r) != KEYS:
            errors.append(f"{rid}: keys {sorted(r)}")
            continue
        good.append(r)
        if r["id"] != "t9-%04d" % i:
            errors.append(f"{rid}: expected id t9-{i:04d}")
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
        if r["labels"] not in ([], [LABEL]):
            errors.append(f"{rid}: labels {r['labels']!r} (want [] or [{LABEL!r}])")
        if r["hard_negative"] is not (r["labels"] == []):
            errors.append(f"{rid}: hard_negative must be true exactly on clean replies")
        if not isinstance(r["note"], str) or not NOTE.match(r["note"]):
            errors.append(f"{rid}: note must be '<理由>；词汇：交易；口吻：<voice>'")
        if r["labels"] == [] and not 1 <= len(sentences(r["text"])) <= MAX_CLEAN_SENTENCES:
            errors.append(f"{rid}: clean reply with {len(sentences(r['text']))} sentences")
        # products: exactly the catalog products named in the text
        low = r["text"].lower()
        named = {p["code"] for p in catalog
                 if any(k.lower() in low for k in [p["code"], p["name"], *p["aliases"]])}
        if not isinstance(r["products"], list):
            errors.append(f"{rid}: products not a list")
            continue
        listed = []
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

    grams = [(r["id"], bigrams(r["text"])) for r in good if isinstance(r["text"], str)]
    worst = 0.0
    for (a, ga), (b, gb) in combinations(grams, 2):
        if ga and gb:
            j = len(ga & gb) / len(ga | gb)
            worst = max(worst, j)
            if j > MAX_BIGRAM_JACCARD:
                errors.append(f"{a} ~ {b}: bigram Jaccard {j:.2f}")

    clean = [r for r in good if r["labels"] == []]
    viol = [r for r in good if r["labels"] == [LABEL]]
    counts = {"total": len(good), "clean": len(clean), LABEL: len(viol)}
    long_clean = sum(len(sentences(r["text"])) >= 4 for r in clean)
    voice = lambda r: NOTE.match(r["note"]).group(1) if isinstance(r["note"], str) and NOTE.match(r["note"]) else "?"
    stats = dict(counts)
    stats.update({
        "hard negatives": sum(r["hard_negative"] is True for r in good),
        "clean with 4-8 sentences": long_clean,
        "violations with 4+ sentences (buried)": sum(len(sentences(r["text"])) >= 4 for r in viol),
        "clean sentence lengths": dict(sorted(Counter(len(sentences(r["text"])) for r in clean).items())),
        "English or mixed (clean / violations)": (sum(is_english(r["text"]) for r in clean),
                                                   sum(is_english(r["text"]) for r in viol)),
        "client classes": dict(sorted(Counter(r["client_class"] for r in good).items())),
        "voices (clean / violations)": {v: (sum(voice(r) == v for r in clean), sum(voice(r) == v for r in viol))
                                         for v in sorted({voice(r) for r in good})},
        "naming a product": sum(bool(r["products"]) for r in good),
        "recommending a product": sum(any(p.get("recommended") for p in r["products"]) for r in good),
        "max bigram Jaccard": round(worst, 3),
    })
    for k, v in stats.items():
        print(f"{k}: {v}")

    if not partial:
        for k, want in TARGETS.items():
            if counts[k] != want:
                errors.append(f"{k}: {counts[k]}, want {want}")
        if long_clean < MIN_LONG_CLEAN:
            errors.append(f"clean replies with 4-8 sentences: {long_clean}, want >= {MIN_LONG_CLEAN}")

    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
