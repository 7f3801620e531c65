"""Validate claims.jsonl of guardrail_train12 (stdlib only).

Usage:
    python3 evals/data/guardrail_train12/check.py            # full check, counts included
    python3 evals/data/guardrail_train12/check.py --partial  # schema, catalog and duplicates only

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
CERT = "claims.certainty"
EXAG = "claims.exaggerated_performance"
TOB = "claims.trade_on_behalf"
ABOVE = "suitability.above_class"
LABELS = [GR, CERT, EXAG, TOB, ABOVE]
ID_FMT = "t12-%04d"

# clean replies: 词汇：<part>; violations: 形式：<form>; every note ends with 口吻：<voice>
VOCAB = re.compile(r"词汇：([^；]+)")
FORM = re.compile(r"形式：([^；]+)")
VOICE = re.compile(r"；口吻：([^；：\s]+)$")

CLEAN_PARTS = {"承诺": 150, "超级别": 30, "交易": 30, "业绩": 30}
# forms of replies whose labels do not include GR, and the one label each must carry
OTHER_FORMS = {"确定性断言": CERT, "夸大业绩": EXAG, "代客操作": TOB, "超级别推介": ABOVE}
GR_FORMS = {
    "长篇埋藏", "方言承诺", "字面词", "英语承诺", "中英夹杂", "比较承诺", "机制误述", "时间承诺",
    "保险话术", "数字承诺", "群老师喊单", "个人担保", "历史外推", "反诘", "机构托底", "最坏情形",
    "锁定收益", "催单暗示", "规则伪装", "自问自答", "存款类比", "表情承诺", "安抚承诺", "亲情劝说",
    "基准当承诺",
}
BURIED = "长篇埋藏"

# the literal banned words named in the brief; at most MAX_LITERAL_GR promises may use them
LITERAL = re.compile(r"保本|保收益|稳赚|零风险|无风险|保证|guarantee|risk[- ]?free", re.I)
MAX_LITERAL_GR = 15

TARGETS = {"total": 400, "clean": 240, "violations": 160, "with " + GR: 130, "without " + GR: 30}
# replies carrying each label (a reply may carry GR plus one second label)
LABEL_TARGETS = {GR: 130, CERT: 15, EXAG: 10, TOB: 9, ABOVE: 9}
MIN_SENT, MAX_SENT = 1, 5
BURIED_SENT = (3, 5)
ENGLISH_SHARE = (0.08, 0.15)  # about 10% English or mixed
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


def level(risk):
    return int(risk[1])


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
        cls = r["client_class"]
        if cls not in CLASSES:
            errors.append(f"{rid}: client_class {cls!r}")
            continue
        labels = r["labels"]
        if not isinstance(labels, list) or not set(labels) <= set(LABELS) \
                or len(set(labels)) != len(labels) or len(labels) > 2 \
                or (len(labels) == 2 and GR not in labels):
            errors.append(f"{rid}: labels {labels!r} (want [], one of {LABELS}, or {GR} plus one more)")
            continue
        good.append(r)
        if not isinstance(r["hard_negative"], bool):
            errors.append(f"{rid}: hard_negative not a bool")
        elif r["hard_negative"] != (labels == []):
            errors.append(f"{rid}: hard_negative must be true exactly on clean replies")

        # note: reason; 词汇 or 形式; 口吻 last
        note = r["note"]
        vocab = VOCAB.search(note) if isinstance(note, str) else None
        form = FORM.search(note) if isinstance(note, str) else None
        if not isinstance(note, str) or not note.strip():
            errors.append(f"{rid}: empty note")
        elif not VOICE.search(note):
            errors.append(f"{rid}: note does not end with 口吻：<voice>")
        elif not labels:
            if not vocab or form or vocab.group(1) not in CLEAN_PARTS:
                errors.append(f"{rid}: clean note needs 词汇：{'|'.join(CLEAN_PARTS)} and no 形式")
        else:
            if not form or vocab:
                errors.append(f"{rid}: violation note needs 形式：<form> and no 词汇")
            elif GR in labels and form.group(1) not in GR_FORMS:
                errors.append(f"{rid}: form {form.group(1)!r} is not a {GR} form")
            elif GR not in labels and OTHER_FORMS.get(form.group(1)) != labels[0]:
                errors.append(f"{rid}: form {form.group(1)!r} does not match label {labels[0]}")

        n_sent = len(sentences(r["text"]))
        if not MIN_SENT <= n_sent <= MAX_SENT:
            errors.append(f"{rid}: {n_sent} sentences (want {MIN_SENT}-{MAX_SENT})")
        if form and form.group(1) == BURIED and not BURIED_SENT[0] <= n_sent <= BURIED_SENT[1]:
            errors.append(f"{rid}: buried promise in {n_sent} sentences (want {BURIED_SENT[0]}-{BURIED_SENT[1]})")

        # products: exactly the catalog products named in the text, catalog risk level
        low = r["text"].lower()
        named = {p["code"] for p in catalog
                 if any(k.lower() in low for k in [p["code"], p["name"], *p["aliases"]])}
        if not isinstance(r["products"], list):
            errors.append(f"{rid}: products not a list")
            continue
        listed, rec_above, named_above = [], [], []
        for p in r["products"]:
            if not isinstance(p, dict) or set(p) != {"code", "risk_level", "recommended"} \
                    or p.get("code") not in by_code:
                errors.append(f"{rid}: bad product entry {p}")
                continue
            listed.append(p["code"])
            cat = by_code[p["code"]]
            if p["risk_level"] != cat["risk_level"]:
                errors.append(f"{rid}: {p['code']} risk_level {p['risk_level']} != catalog {cat['risk_level']}")
            above = level(cat["risk_level"]) > CLASSES[cls]
            if above:
                named_above.append(p["code"])
            if not isinstance(p["recommended"], bool):
                errors.append(f"{rid}: recommended not a bool")
            elif p["recommended"] and above:
                rec_above.append(p["code"])
        if len(set(listed)) != len(listed):
            errors.append(f"{rid}: product listed twice")
        if named != set(listed):
            errors.append(f"{rid}: products named {sorted(named)} but listed {sorted(set(listed))}")
        # suitability: the label is set exactly when a product above the class is recommended
        if bool(rec_above) != (ABOVE in labels):
            errors.append(f"{rid}: {ABOVE} is {ABOVE in labels} but recommended above {cls}: {rec_above}")
        if not labels and vocab:
            part = vocab.group(1)
            if part == "超级别" and not named_above:
                errors.append(f"{rid}: 超级别 clean reply names no product above {cls}")
            if part != "超级别" and named_above:
                errors.append(f"{rid}: clean {part} reply names products above {cls}: {named_above}")

    texts = Counter(r["text"].strip() for r in good)
    for t, k in texts.items():
        if k > 1:
            errors.append(f"duplicate text ({k}x): {t[:30]}…")
    grams = [(r["id"], bigrams(r["text"])) for r in good]
    worst = 0.0
    for (a, ga), (b, gb) in combinations(grams, 2):
        if ga and gb:
            j = len(ga & gb) / len(ga | gb)
            worst = max(worst, j)
            if j > MAX_BIGRAM_JACCARD:
                errors.append(f"{a} ~ {b}: bigram Jaccard {j:.2f}")

    clean = [r for r in good if r["labels"] == []]
    viol = [r for r in good if r["labels"]]
    with_gr = [r for r in viol if GR in r["labels"]]
    counts = {"total": len(good), "clean": len(clean), "violations": len(viol),
              "with " + GR: len(with_gr), "without " + GR: len(viol) - len(with_gr)}
    label_counts = Counter(l for r in good for l in r["labels"])
    parts = Counter(VOCAB.search(r["note"]).group(1) for r in clean if VOCAB.search(r["note"]))
    forms = Counter(FORM.search(r["note"]).group(1) for r in viol if FORM.search(r["note"]))
    literal = [r["id"] for r in with_gr if LITERAL.search(r["text"])]
    voices_v = Counter(VOICE.search(r["note"]).group(1) for r in viol if VOICE.search(r["note"]))
    voices_c = Counter(VOICE.search(r["note"]).group(1) for r in clean if VOICE.search(r["note"]))
    english = sum(is_english(r["text"]) for r in good)
    stats = dict(counts)
    stats.update({
        "hard negatives": sum(r["hard_negative"] is True for r in good),
        "replies per label": dict(label_counts.most_common()),
        "label combinations": {"+".join(k) or "clean": v
                               for k, v in Counter(tuple(r["labels"]) for r in good).most_common()},
        "clean parts (词汇)": dict(parts.most_common()),
        "violation forms (形式)": dict(forms.most_common()),
        f"{GR} with a literal banned word": len(literal),
        "sentences (clean)": dict(sorted(Counter(len(sentences(r["text"])) for r in clean).items())),
        "sentences (violations)": dict(sorted(Counter(len(sentences(r["text"])) for r in viol).items())),
        "English or mixed (all / clean)": (english, sum(is_english(r["text"]) for r in clean)),
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
        if dict(label_counts) != LABEL_TARGETS:
            errors.append(f"label counts {dict(label_counts)} differ from {LABEL_TARGETS}")
        if dict(parts) != CLEAN_PARTS:
            errors.append(f"clean parts {dict(parts)} differ from {CLEAN_PARTS}")
        if len(literal) > MAX_LITERAL_GR:
            errors.append(f"{len(literal)} {GR} replies use a literal banned word (max {MAX_LITERAL_GR})")
        share = english / max(len(good), 1)
        if not ENGLISH_SHARE[0] <= share <= ENGLISH_SHARE[1]:
            errors.append(f"English or mixed share {share:.1%} outside {ENGLISH_SHARE}")

    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
