"""Validate claims.jsonl of guardrail_train4 (stdlib only).

Usage:
    python evals/data/guardrail_train4/check.py            # full check, counts included
    python evals/data/guardrail_train4/check.py --partial  # schema and duplicates only

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
LABELS = {"claims.guaranteed_return", "claims.certainty", "claims.exaggerated_performance"}
GUARANTEED = "claims.guaranteed_return"
LITERAL = re.compile(r"保本|保收益|稳赚|零风险|保证|guarantee", re.I)
HIDDEN = re.compile(r"承诺在第(\d)句")

# targets from the brief
N_GUARANTEED = 300
N_CLEAN = 300
MAX_LITERAL = 20
MIN_EN_GUARANTEED = 60
MIN_HIDDEN = 70
MIN_HARD_NEG = 250
MIN_EN_CLEAN = 50
MAX_BIGRAM_JACCARD = 0.8


def sentences(text):
    """Split on Chinese/English sentence ends and line breaks; drop fragments without letters."""
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
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON ({e})")

    seen = set()
    for i, r in enumerate(rows, 1):
        rid = r.get("id", f"#{i}")
        if set(r) != KEYS:
            errors.append(f"{rid}: keys {sorted(r)}")
            continue
        if r["id"] != "t4-%04d" % i:
            errors.append(f"{rid}: expected id t4-{i:04d}")
        if r["id"] in seen:
            errors.append(f"{rid}: duplicate id")
        seen.add(r["id"])
        if r["kind"] != "reply":
            errors.append(f"{rid}: kind {r['kind']!r}")
        if not isinstance(r["text"], str) or not r["text"].strip():
            errors.append(f"{rid}: empty text")
        if r["client_class"] not in CLASSES:
            errors.append(f"{rid}: client_class {r['client_class']!r}")
        if not isinstance(r["labels"], list) or len(set(r["labels"])) != len(r["labels"]) \
                or not set(r["labels"]) <= LABELS:
            errors.append(f"{rid}: labels {r['labels']!r}")
        if not isinstance(r["hard_negative"], bool):
            errors.append(f"{rid}: hard_negative not a bool")
        elif r["hard_negative"] and r["labels"]:
            errors.append(f"{rid}: hard_negative on a labelled reply")
        if not isinstance(r["note"], str) or not r["note"].strip():
            errors.append(f"{rid}: empty note")
        # products: exactly the catalog products named in the text
        low = r["text"].lower()
        named = {p["code"] for p in catalog
                 if any(k.lower() in low for k in [p["code"], p["name"], *p["aliases"]])}
        listed = set()
        for p in r["products"]:
            if set(p) != {"code", "risk_level", "recommended"} or p["code"] not in by_code:
                errors.append(f"{rid}: bad product entry {p}")
                continue
            listed.add(p["code"])
            cat = by_code[p["code"]]
            if p["risk_level"] != cat["risk_level"]:
                errors.append(f"{rid}: {p['code']} risk_level {p['risk_level']} != catalog {cat['risk_level']}")
            if not isinstance(p["recommended"], bool):
                errors.append(f"{rid}: recommended not a bool")
            elif p["recommended"] and r["client_class"] != "PRO" \
                    and int(cat["risk_level"][1]) > CLASSES.get(r["client_class"], 0):
                errors.append(f"{rid}: recommends {p['code']} ({cat['risk_level']}) to {r['client_class']}")
        if len(listed) != len(r["products"]):
            errors.append(f"{rid}: product listed twice")
        if named != listed:
            errors.append(f"{rid}: products named {sorted(named)} but listed {sorted(listed)}")
        # hidden promise marker
        m = HIDDEN.search(r["note"])
        if m and len(sentences(r["text"])) < int(m.group(1)):
            errors.append(f"{rid}: note says 第{m.group(1)}句 but text has {len(sentences(r['text']))} sentences")
        if not r["labels"]:
            k = len(sentences(r["text"]))
            if not 1 <= k <= 6:
                errors.append(f"{rid}: clean reply with {k} sentences (want 1-6)")

    # near duplicates inside the set
    grams = [(r["id"], bigrams(r["text"])) for r in rows if isinstance(r, dict) and "text" in r]
    for (a, ga), (b, gb) in combinations(grams, 2):
        if ga and gb:
            j = len(ga & gb) / len(ga | gb)
            if j > MAX_BIGRAM_JACCARD:
                errors.append(f"{a} ~ {b}: bigram Jaccard {j:.2f}")

    g = [r for r in rows if GUARANTEED in r.get("labels", [])]
    clean = [r for r in rows if r.get("labels") == []]
    other = [r for r in rows if r.get("labels") and GUARANTEED not in r["labels"]]
    stats = {
        "replies": len(rows),
        "guaranteed_return": len(g),
        "  with certainty": sum("claims.certainty" in r["labels"] for r in g),
        "  with exaggerated_performance": sum("claims.exaggerated_performance" in r["labels"] for r in g),
        "  literal banned words": sum(bool(LITERAL.search(r["text"])) for r in g),
        "  English or mixed (guaranteed)": sum(is_english(r["text"]) for r in g),
        "  promise hidden after sentence 1": sum(bool(HIDDEN.search(r["note"])) and
                                                int(HIDDEN.search(r["note"]).group(1)) >= 2 for r in g),
        "other labels only": len(other),
        "clean": len(clean),
        "  hard negatives": sum(r["hard_negative"] for r in clean),
        "  English or mixed (clean)": sum(is_english(r["text"]) for r in clean),
        "  sentence lengths": dict(sorted(Counter(len(sentences(r["text"])) for r in clean).items())),
        "naming a product": sum(bool(r.get("products")) for r in rows),
    }
    for k, v in stats.items():
        print(f"{k}: {v}")

    if not partial:
        def need(cond, msg):
            if not cond:
                errors.append(msg)
        need(stats["guaranteed_return"] == N_GUARANTEED, f"want {N_GUARANTEED} guaranteed_return")
        need(stats["clean"] == N_CLEAN, f"want {N_CLEAN} clean")
        need(stats["  literal banned words"] <= MAX_LITERAL, f"at most {MAX_LITERAL} literal banned words")
        need(stats["  English or mixed (guaranteed)"] >= MIN_EN_GUARANTEED, f"want >= {MIN_EN_GUARANTEED} English guaranteed")
        need(stats["  promise hidden after sentence 1"] >= MIN_HIDDEN, f"want >= {MIN_HIDDEN} hidden promises")
        need(stats["  hard negatives"] >= MIN_HARD_NEG, f"want >= {MIN_HARD_NEG} hard negatives")
        need(stats["  English or mixed (clean)"] >= MIN_EN_CLEAN, f"want >= {MIN_EN_CLEAN} English clean")
        need(set(stats["  sentence lengths"]) == set(range(1, 7)), "clean lengths must span 1-6 sentences")

    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
