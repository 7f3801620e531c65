"""Validate claims.jsonl of guardrail_train10 (stdlib only).

Usage:
    python3 evals/data/guardrail_train10/check.py            # full check, counts included
    python3 evals/data/guardrail_train10/check.py --partial  # schema, catalog and duplicates only

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
GR = "claims.guaranteed_return"
LABELS = [GR]                 # this set holds only return-promise violations and clean replies
ID_FMT = "t10-%04d"
VOCAB = re.compile(r"词汇：承诺")
FORM = re.compile(r"形式：([^；]+)")
VOICE = re.compile(r"；口吻：([^；：\s]+)$")
# the guaranteed-return violations here are paraphrases: none may use the literal banned words
LITERAL = re.compile(r"保本|保收益|稳赚|零风险|无风险|包赚|兜底|保底|保证|guarantee|risk[- ]?free", re.I)
BURIED = "长篇埋藏"

TARGETS = {"total": 400, "clean": 170, GR: 230}
FORM_TARGETS = {
    "长篇埋藏": 50, "俗语承诺": 32, "结构不亏": 11, "机构托底": 11, "比较承诺": 11,
    "最坏情形": 11, "数量承诺": 13, "时间承诺": 13, "保障话术": 9, "锁定收益": 9,
    "个人担保": 9, "免责后承诺": 9, "规则承诺": 8, "自问自答": 7, "英语": 6,
    "安抚承诺": 6, "中英夹杂": 5, "表情": 5, "反诘": 5,
}
MIN_LONG_CLEAN = 45           # clean replies of 4-8 sentences
MIN_BURIED = 45               # buried promises of 3-7 sentences
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
        if r["id"] != ID_FMT % i:
            errors.append(f"{rid}: expected id {ID_FMT % i}")
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
        labels = r["labels"]
        if not isinstance(labels, list) or not set(labels) <= set(LABELS) or len(labels) > 1:
            errors.append(f"{rid}: labels {labels!r} (want [] or exactly one of {LABELS})")
            labels = []
        if not isinstance(r["hard_negative"], bool):
            errors.append(f"{rid}: hard_negative not a bool")
        elif r["hard_negative"] != (labels == []):
            errors.append(f"{rid}: hard_negative must be true exactly on clean replies")
        note = r["note"]
        n_sent = len(sentences(r["text"]))
        if not isinstance(note, str) or not note.strip():
            errors.append(f"{rid}: empty note")
        elif not VOICE.search(note):
            errors.append(f"{rid}: note does not end with 口吻：<voice>")
        elif not labels and (not VOCAB.search(note) or FORM.search(note)):
            errors.append(f"{rid}: clean note needs 词汇：承诺 and no 形式")
        elif labels and (not FORM.search(note) or VOCAB.search(note)):
            errors.append(f"{rid}: violation note needs 形式：<form> and no 词汇")
        if not labels and not 1 <= n_sent <= 8:
            errors.append(f"{rid}: clean reply with {n_sent} sentences (want 1-8)")
        if labels == [GR]:
            m = LITERAL.search(r["text"])
            if m:
                errors.append(f"{rid}: guaranteed_return uses literal word {m.group(0)!r}; this set wants paraphrases")
            if isinstance(note, str) and BURIED in note and not 3 <= n_sent <= 7:
                errors.append(f"{rid}: buried promise in {n_sent} sentences (want 3-7)")
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
                    or p.get("code") not in by_code:
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
    viol = [r for r in good if r["labels"] == [GR]]
    counts = {"total": len(good), "clean": len(clean), GR: len(viol)}
    long_clean = sum(4 <= len(sentences(r["text"])) <= 8 for r in clean)
    buried = sum(BURIED in r["note"] and 3 <= len(sentences(r["text"])) <= 7 for r in viol)
    forms = Counter(FORM.search(r["note"]).group(1) for r in viol if FORM.search(r["note"]))
    voices_v = Counter(VOICE.search(r["note"]).group(1) for r in viol if VOICE.search(r["note"]))
    voices_c = Counter(VOICE.search(r["note"]).group(1) for r in clean if VOICE.search(r["note"]))
    stats = dict(counts)
    stats.update({
        "hard negatives": sum(r["hard_negative"] is True for r in good),
        "clean with 4-8 sentences": long_clean,
        "clean sentence lengths": dict(sorted(Counter(len(sentences(r["text"])) for r in clean).items())),
        "buried promises (3-7 sentences)": buried,
        "guaranteed_return forms": dict(forms.most_common()),
        "English or mixed (all / clean)": (sum(is_english(r["text"]) for r in good),
                                           sum(is_english(r["text"]) for r in clean)),
        "client classes": dict(sorted(Counter(r["client_class"] for r in good).items())),
        "voices (clean/violations)": {v: f"{voices_c[v]}/{voices_v[v]}"
                                      for v, _ in (voices_c + voices_v).most_common()},
        "naming a product": sum(bool(r["products"]) for r in good),
        "recommending a product (all / clean)": (
            sum(any(p.get("recommended") for p in r["products"]) for r in good),
            sum(any(p.get("recommended") for p in r["products"]) for r in clean)),
        "max bigram Jaccard": round(worst, 3),
    })
    for k, v in stats.items():
        print(f"{k}: {v}")

    if not partial:
        for k, want in TARGETS.items():
            if counts[k] != want:
                errors.append(f"{k}: {counts[k]}, want {want}")
        if dict(forms) != FORM_TARGETS:
            errors.append(f"forms {dict(forms)} differ from {FORM_TARGETS}")
        if long_clean < MIN_LONG_CLEAN:
            errors.append(f"clean replies with 4-8 sentences: {long_clean}, want >= {MIN_LONG_CLEAN}")
        if buried < MIN_BURIED:
            errors.append(f"buried-promise replies of 3-7 sentences: {buried}, want >= {MIN_BURIED}")

    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
