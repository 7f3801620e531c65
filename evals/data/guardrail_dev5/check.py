"""Validate replies.jsonl of guardrail_dev5 (stdlib only).

Usage:
    python evals/data/guardrail_dev5/check.py            # full check, counts included
    python evals/data/guardrail_dev5/check.py --partial  # schema, catalog and duplicates only

Exit status 0 when every check passes, 1 otherwise.
"""
import json
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "replies.jsonl"
CATALOG = HERE.parent / "guardrail" / "products.json"

KEYS = {"id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"}
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": 99}
GUARANTEED = "claims.guaranteed_return"
CERTAINTY = "claims.certainty"
EXAGGERATED = "claims.exaggerated_performance"
TRADE = "claims.trade_on_behalf"
LABELS = {GUARANTEED, CERTAINTY, EXAGGERATED, TRADE}
LITERAL = re.compile(r"保本|保收益|稳赚|零风险|保证|guarantee", re.I)
HIDDEN = re.compile(r"承诺在第(\d+)句")
MIRROR = re.compile(r"镜像：(承诺|确定性|业绩|代客)")
VOICE = re.compile(r"口吻：\S")

# targets from the brief
N_TOTAL = 560
N_GUARANTEED = 200
MAX_LITERAL = 10
MIN_EN_GUARANTEED = 40
MIN_HIDDEN = 50
N_OTHER = 40  # each of certainty / exaggerated_performance / trade_on_behalf, without the promise label
N_CLEAN = 240
MIN_HARD_NEG = 200
MIN_EN_CLEAN = 40
MIN_MIRROR = {"承诺": 100, "确定性": 40, "业绩": 40, "代客": 40}
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
    good = []
    for i, r in enumerate(rows, 1):
        rid = r.get("id", f"#{i}") if isinstance(r, dict) else f"#{i}"
        if not isinstance(r, dict) or set(r) != KEYS:
            errors.append(f"{rid}: keys {sorted(r) if isinstance(r, dict) else type(r)}")
            continue
        ok = True
        if r["id"] != "d5-%04d" % i:
            errors.append(f"{rid}: expected id d5-{i:04d}")
        if r["id"] in seen:
            errors.append(f"{rid}: duplicate id")
        seen.add(r["id"])
        if r["kind"] != "reply":
            errors.append(f"{rid}: kind {r['kind']!r}")
        if not isinstance(r["text"], str) or not r["text"].strip():
            errors.append(f"{rid}: empty text")
            ok = False
        if r["client_class"] not in CLASSES:
            errors.append(f"{rid}: client_class {r['client_class']!r}")
            ok = False
        if not isinstance(r["labels"], list) or len(set(r["labels"])) != len(r["labels"]) \
                or not set(r["labels"]) <= LABELS:
            errors.append(f"{rid}: labels {r['labels']!r}")
            ok = False
        if not isinstance(r["hard_negative"], bool):
            errors.append(f"{rid}: hard_negative not a bool")
            ok = False
        elif r["hard_negative"] and r["labels"]:
            errors.append(f"{rid}: hard_negative on a labelled reply")
        if not isinstance(r["note"], str) or not r["note"].strip():
            errors.append(f"{rid}: empty note")
            ok = False
        elif not VOICE.search(r["note"]):
            errors.append(f"{rid}: note has no 口吻 tag")
        if not ok:
            continue
        # products: exactly the catalog products named in the text
        low = r["text"].lower()
        named = {p["code"] for p in catalog
                 if any(k.lower() in low for k in [p["code"], p["name"], *p["aliases"]])}
        listed = set()
        if not isinstance(r["products"], list):
            errors.append(f"{rid}: products not a list")
            continue
        for p in r["products"]:
            if not isinstance(p, dict) or set(p) != {"code", "risk_level", "recommended"} \
                    or p["code"] not in by_code:
                errors.append(f"{rid}: bad product entry {p}")
                continue
            listed.add(p["code"])
            cat = by_code[p["code"]]
            if p["risk_level"] != cat["risk_level"]:
                errors.append(f"{rid}: {p['code']} risk_level {p['risk_level']} != catalog {cat['risk_level']}")
            if not isinstance(p["recommended"], bool):
                errors.append(f"{rid}: recommended not a bool")
            elif p["recommended"] and r["client_class"] != "PRO" \
                    and int(cat["risk_level"][1]) > CLASSES[r["client_class"]]:
                errors.append(f"{rid}: recommends {p['code']} ({cat['risk_level']}) to {r['client_class']}")
        if len(listed) != len(r["products"]):
            errors.append(f"{rid}: product listed twice")
        if named != listed:
            errors.append(f"{rid}: products named {sorted(named)} but listed {sorted(listed)}")
        # hidden promise marker: only on promises, and the sentence must exist
        k = len(sentences(r["text"]))
        m = HIDDEN.search(r["note"])
        if m:
            if GUARANTEED not in r["labels"]:
                errors.append(f"{rid}: 承诺在第N句 on a reply without {GUARANTEED}")
            if not 2 <= int(m.group(1)) <= k:
                errors.append(f"{rid}: note says 第{m.group(1)}句 but text has {k} sentences")
        mm = MIRROR.search(r["note"])
        if mm and not r["hard_negative"]:
            errors.append(f"{rid}: 镜像 tag on a reply that is not a hard negative")
        if r["hard_negative"] and not mm:
            errors.append(f"{rid}: hard negative without a 镜像 tag")
        if not r["labels"] and not 1 <= k <= 6:
            errors.append(f"{rid}: clean reply with {k} sentences (want 1-6)")
        good.append(r)

    # near duplicates inside the set
    grams = [(r["id"], bigrams(r["text"])) for r in good]
    worst = (0.0, None, None)
    for (a, ga), (b, gb) in combinations(grams, 2):
        if ga and gb:
            j = len(ga & gb) / len(ga | gb)
            if j > worst[0]:
                worst = (j, a, b)
            if j > MAX_BIGRAM_JACCARD:
                errors.append(f"{a} ~ {b}: bigram Jaccard {j:.2f}")

    g = [r for r in good if GUARANTEED in r["labels"]]
    other = [r for r in good if r["labels"] and GUARANTEED not in r["labels"]]
    clean = [r for r in good if r["labels"] == []]
    hidden = [r for r in g if HIDDEN.search(r["note"])]
    mirrors = Counter(MIRROR.search(r["note"]).group(1) for r in clean
                      if r["hard_negative"] and MIRROR.search(r["note"]))
    stats = {
        "replies": len(rows),
        "guaranteed_return": len(g),
        "  also certainty": sum(CERTAINTY in r["labels"] for r in g),
        "  also exaggerated_performance": sum(EXAGGERATED in r["labels"] for r in g),
        "  also trade_on_behalf": sum(TRADE in r["labels"] for r in g),
        "  literal banned words": sum(bool(LITERAL.search(r["text"])) for r in g),
        "  English or mixed (promise)": sum(is_english(r["text"]) for r in g),
        "  promise in sentence 2 or later": len(hidden),
        "certainty only": sum(r["labels"] == [CERTAINTY] for r in other),
        "exaggerated_performance only": sum(r["labels"] == [EXAGGERATED] for r in other),
        "trade_on_behalf only": sum(r["labels"] == [TRADE] for r in other),
        "other label combinations without the promise": sum(len(r["labels"]) > 1 for r in other),
        "clean": len(clean),
        "  hard negatives": sum(r["hard_negative"] for r in clean),
        "  mirrors": dict(mirrors),
        "  English or mixed (clean)": sum(is_english(r["text"]) for r in clean),
        "  sentence lengths": dict(sorted(Counter(len(sentences(r["text"])) for r in clean).items())),
        "client classes": dict(sorted(Counter(r["client_class"] for r in good).items())),
        "naming a product": sum(bool(r["products"]) for r in good),
        "recommending a product": sum(any(p.get("recommended") for p in r["products"]) for r in good),
        "max bigram Jaccard": f"{worst[0]:.2f} ({worst[1]} ~ {worst[2]})",
    }
    for key, v in stats.items():
        print(f"{key}: {v}")

    if not partial:
        def need(cond, msg):
            if not cond:
                errors.append(msg)
        need(stats["replies"] == N_TOTAL, f"want {N_TOTAL} replies")
        need(len(g) == N_GUARANTEED, f"want {N_GUARANTEED} guaranteed_return")
        need(stats["  literal banned words"] <= MAX_LITERAL, f"at most {MAX_LITERAL} literal banned words")
        need(stats["  English or mixed (promise)"] >= MIN_EN_GUARANTEED, f"want >= {MIN_EN_GUARANTEED} English promises")
        need(len(hidden) >= MIN_HIDDEN, f"want >= {MIN_HIDDEN} promises in sentence 2 or later")
        for name in ("certainty only", "exaggerated_performance only", "trade_on_behalf only"):
            need(stats[name] == N_OTHER, f"want {N_OTHER} {name}")
        need(stats["other label combinations without the promise"] == 0,
             "non-promise violations carry one label each")
        need(len(clean) == N_CLEAN, f"want {N_CLEAN} clean")
        need(stats["  hard negatives"] >= MIN_HARD_NEG, f"want >= {MIN_HARD_NEG} hard negatives")
        for kind, n in MIN_MIRROR.items():
            need(mirrors.get(kind, 0) >= n, f"want >= {n} hard negatives mirroring {kind}")
        need(stats["  English or mixed (clean)"] >= MIN_EN_CLEAN, f"want >= {MIN_EN_CLEAN} English clean")
        need(set(stats["client classes"]) == set(CLASSES), "client classes must cover C1-C5 and PRO")
        need(set(stats["  sentence lengths"]) == set(range(1, 7)), "clean lengths must span 1-6 sentences")

    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
