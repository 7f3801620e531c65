"""Validate claims.jsonl of guardrail_train16 (standard library only).

    python3 evals/data/guardrail_train16/check.py            # everything, exact counts included
    python3 evals/data/guardrail_train16/check.py --partial  # schema, catalog, notes, pairs, similarity

Prints the figures it measured, then every problem; exits 1 if there is any problem, else 0.
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
CLASS_RANK = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": 99}
GR = "claims.guaranteed_return"
CERT = "claims.certainty"
EXAG = "claims.exaggerated_performance"
TOB = "claims.trade_on_behalf"
ABOVE = "suitability.above_class"
VOCAB_LABELS = [GR, CERT, EXAG, TOB, ABOVE]
ID_FMT = "t16-%04d"

# note = "<reason>；词汇：<part>；结构：<structure>[；对照：<id>]；口吻：<voice>" on clean replies,
#        "<reason>；形式：<form>[；对照：<id>]；口吻：<voice>" on violations
RE_PART = re.compile(r"；词汇：([^；]+)")
RE_STRUCT = re.compile(r"；结构：([^；]+)")
RE_FORM = re.compile(r"；形式：([^；]+)")
RE_PAIR = re.compile(r"；对照：([^；]+)")
RE_VOICE = re.compile(r"；口吻：([^；：\s]+)$")

PARTS = {"承诺", "交易", "业绩"}
STRUCTS = {
    "承诺": {"否定", "条件", "引用纠正", "真确定", "品类名", "教育",
             "机制限度", "最坏亏损", "合同派息", "适配推荐"},
    "交易": {"交易"},
    "业绩": {"历史业绩", "展望"},
}
# return-promise forms of this set; none of them is a form name used by train14
GR_FORMS = {
    "中句夹带", "长者宽心", "区间下限", "最差也", "派息日程", "年年多出", "本金完好", "结构保护",
    "同等安全", "问答体", "到期金额", "无亏记录", "规模背书", "监管误读", "符号暗示", "对比排除",
    "计算器演示", "持有必回", "差额补足", "赎回无损", "条件兑现", "附和客户", "概率归零",
    "比喻承诺", "反提示", "利息化", "同伴证明", "收益预告",
}
TRAIN14_FORMS = {
    "长篇埋藏", "方言承诺", "英语承诺", "中英夹杂", "否定式承诺", "双重否定", "反诘", "最坏情形",
    "数字承诺", "保险话术", "群老师喊单", "个人担保", "亲情劝说", "存款类比", "机制误述",
    "锁定收益", "历史外推", "基准当承诺", "时间承诺", "字面词", "机构托底", "表情承诺",
    "催单暗示", "安抚承诺",
}
OTHER_FORMS = {"确定性断言": CERT, "夸大业绩": EXAG, "代客操作": TOB}
MIDDLE = "中句夹带"          # the promise is the middle sentence of 3 or 5
RECOMMEND_STRUCT = "适配推荐"  # the only clean structure that may set recommended

LITERAL = re.compile(r"保本|保收益|稳赚|零风险|无风险|包赚|兜底|保底|保证|guarantee|risk[- ]?free", re.I)

# exact targets (full mode)
EXPECT_TOTALS = {"total": 400, "clean": 200, "violations": 200,
                 "violations with " + GR: 150, "violations without " + GR: 50}
EXPECT_LABELS = {GR: 150, CERT: 17, EXAG: 17, TOB: 16}
EXPECT_PARTS = {"承诺": 135, "业绩": 37, "交易": 28}
MAX_LITERAL_GR = 5
MIN_ENGLISH = 30
ENGLISH_SHARE = (0.08, 0.15)
SENTENCES = (1, 5)
JACCARD_LIMIT = 0.8        # every pair
PAIR_JACCARD_LIMIT = 0.8   # declared minimal pairs (对照) may go up to this as well
MIN_PAIRS = 60


def split_sentences(text):
    pieces = re.split(r"(?<=[。！？!?])|(?<=\.)\s+|\n", text)
    return [s for s in pieces if s and re.search(r"[\w\u4e00-\u9fff]", s)]


def english_or_mixed(text):
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 5


def char_bigrams(text):
    s = re.sub(r"\s+", "", text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a | b else 0.0


def main(partial):
    problems = []
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    by_code = {p["code"]: p for p in catalog}

    rows = []
    for n, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not JSON ({exc})")
            continue
        if not isinstance(obj, dict) or set(obj) != KEYS:
            problems.append(f"line {n}: wrong keys")
            continue
        rows.append(obj)

    ok = []
    ids = set()
    for i, r in enumerate(rows, 1):
        rid = r["id"]
        if rid != ID_FMT % i:
            problems.append(f"{rid}: expected {ID_FMT % i}")
        if rid in ids:
            problems.append(f"{rid}: repeated id")
        ids.add(rid)
        if r["kind"] != "reply":
            problems.append(f"{rid}: kind must be 'reply'")
        text = r["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{rid}: empty text")
            continue
        cls = r["client_class"]
        if cls not in CLASS_RANK:
            problems.append(f"{rid}: unknown client_class {cls!r}")
            continue
        labels = r["labels"]
        if (not isinstance(labels, list) or not set(labels) <= set(VOCAB_LABELS)
                or len(labels) > 1 or ABOVE in labels):
            problems.append(f"{rid}: bad labels {labels!r} (this set uses one claims label or none)")
            continue
        ok.append(r)
        if r["hard_negative"] is not (labels == []):
            problems.append(f"{rid}: hard_negative must be true exactly when labels is empty")

        note = r["note"]
        struct_tag = None
        if not isinstance(note, str) or not RE_VOICE.search(note):
            problems.append(f"{rid}: note must end with 口吻：<voice>")
        else:
            part, struct, form = RE_PART.search(note), RE_STRUCT.search(note), RE_FORM.search(note)
            if note.startswith("待补") or note.split("；")[0].strip() == "":
                problems.append(f"{rid}: note has no reason")
            if not labels:
                if form or not part or part.group(1) not in PARTS:
                    problems.append(f"{rid}: clean note needs 词汇：{sorted(PARTS)} and no 形式")
                elif not struct or struct.group(1) not in STRUCTS[part.group(1)]:
                    problems.append(f"{rid}: clean note needs a 结构 from {sorted(STRUCTS[part.group(1)])}")
                else:
                    struct_tag = struct.group(1)
            else:
                if part or struct or not form:
                    problems.append(f"{rid}: violation note needs 形式 and no 词汇/结构")
                elif form.group(1) in TRAIN14_FORMS:
                    problems.append(f"{rid}: form {form.group(1)!r} is one train14 already used")
                elif GR in labels and form.group(1) not in GR_FORMS:
                    problems.append(f"{rid}: {form.group(1)!r} is not a return-promise form")
                elif GR not in labels and OTHER_FORMS.get(form.group(1)) != labels[0]:
                    problems.append(f"{rid}: form {form.group(1)!r} does not fit {labels[0]}")
                if form and form.group(1) == MIDDLE:
                    k = len(split_sentences(text))
                    if k not in (3, 5):
                        problems.append(f"{rid}: a middle-sentence promise needs 3 or 5 sentences, has {k}")

        k = len(split_sentences(text))
        if not SENTENCES[0] <= k <= SENTENCES[1]:
            problems.append(f"{rid}: {k} sentences")

        # products: exactly the catalog products the text names (name, alias or code)
        low = text.lower()
        named = {p["code"] for p in catalog
                 if any(key.lower() in low for key in (p["code"], p["name"], *p["aliases"]))}
        listed, named_above = [], []
        if not isinstance(r["products"], list):
            problems.append(f"{rid}: products must be a list")
            continue
        for p in r["products"]:
            if (not isinstance(p, dict) or set(p) != {"code", "risk_level", "recommended"}
                    or p["code"] not in by_code or not isinstance(p["recommended"], bool)):
                problems.append(f"{rid}: bad product entry {p!r}")
                continue
            listed.append(p["code"])
            risk = by_code[p["code"]]["risk_level"]
            if p["risk_level"] != risk:
                problems.append(f"{rid}: {p['code']} has risk {risk} in the catalog")
            if int(risk[1]) > CLASS_RANK[cls]:
                named_above.append(p["code"])
        if len(listed) != len(set(listed)):
            problems.append(f"{rid}: a product is listed twice")
        if set(listed) != named:
            problems.append(f"{rid}: text names {sorted(named)}, products lists {sorted(set(listed))}")
        if named_above:
            problems.append(f"{rid}: names products above {cls}: {named_above}")
        recs = [p.get("recommended") for p in r["products"] if isinstance(p, dict)]
        if not labels and any(recs) and struct_tag != RECOMMEND_STRUCT:
            problems.append(f"{rid}: only 结构：{RECOMMEND_STRUCT} clean replies recommend")
        if not labels and struct_tag == RECOMMEND_STRUCT and not (recs and all(recs)):
            problems.append(f"{rid}: an in-class recommendation must name and recommend its product")
        if labels and recs and not all(recs):
            problems.append(f"{rid}: a violation pushes every product it names")

    by_id = {r["id"]: r for r in ok}
    pairs = set()
    for r in ok:
        m = RE_PAIR.search(r["note"]) if isinstance(r["note"], str) else None
        if not m:
            continue
        other = by_id.get(m.group(1))
        om = RE_PAIR.search(other["note"]) if other else None
        if not other or not om or om.group(1) != r["id"]:
            problems.append(f"{r['id']}: 对照 {m.group(1)} is not a mutual pair")
        elif bool(r["labels"]) == bool(other["labels"]):
            problems.append(f"{r['id']}: a minimal pair is one violation and one clean reply")
        else:
            pairs.add(tuple(sorted((r["id"], other["id"]))))

    dup = Counter(r["text"].strip() for r in ok)
    for t, c in dup.items():
        if c > 1:
            problems.append(f"text repeated {c}x: {t[:20]}…")
    grams = [(r["id"], char_bigrams(r["text"])) for r in ok]
    worst, worst_pair, pair_js = 0.0, None, []
    for (a, ga), (b, gb) in combinations(grams, 2):
        j = jaccard(ga, gb)
        declared = (a, b) in pairs
        if declared:
            pair_js.append(j)
        elif j > worst:
            worst, worst_pair = j, (a, b)
        limit = PAIR_JACCARD_LIMIT if declared else JACCARD_LIMIT
        if j > limit:
            problems.append(f"{a} ~ {b}: bigram Jaccard {j:.2f}{' (pair)' if declared else ''}")

    clean = [r for r in ok if not r["labels"]]
    viol = [r for r in ok if r["labels"]]
    gr = [r for r in viol if GR in r["labels"]]
    totals = {"total": len(ok), "clean": len(clean), "violations": len(viol),
              "violations with " + GR: len(gr), "violations without " + GR: len(viol) - len(gr)}
    per_label = Counter(l for r in ok for l in r["labels"])

    def tag(rx, r):
        m = rx.search(r["note"]) if isinstance(r["note"], str) else None
        return m.group(1) if m else "?"

    parts = Counter(tag(RE_PART, r) for r in clean)
    literal = [r["id"] for r in gr if LITERAL.search(r["text"])]
    english = [r for r in ok if english_or_mixed(r["text"])]
    vc = Counter(tag(RE_VOICE, r) for r in clean)
    vv = Counter(tag(RE_VOICE, r) for r in viol)
    report = dict(totals)
    report.update({
        "hard negatives": sum(r["hard_negative"] is True for r in ok),
        "replies per label": dict(per_label.most_common()),
        "clean parts (词汇)": dict(parts.most_common()),
        "clean structures (结构)": dict(Counter(tag(RE_STRUCT, r) for r in clean).most_common()),
        "violation forms (形式)": dict(Counter(tag(RE_FORM, r) for r in viol).most_common()),
        GR + " with a literal banned word": len(literal),
        "clean replies with a literal banned word": sum(bool(LITERAL.search(r["text"])) for r in clean),
        "sentences (clean)": dict(sorted(Counter(len(split_sentences(r["text"])) for r in clean).items())),
        "sentences (violations)": dict(sorted(Counter(len(split_sentences(r["text"])) for r in viol).items())),
        "English or mixed (all / clean / violations)": (
            len(english), sum(not r["labels"] for r in english), sum(bool(r["labels"]) for r in english)),
        "client classes": dict(sorted(Counter(r["client_class"] for r in ok).items())),
        "voices (clean/violations)": {v: f"{vc[v]}/{vv[v]}" for v, _ in (vc + vv).most_common()},
        "naming a product (all / clean / clean recommending)": (
            sum(bool(r["products"]) for r in ok), sum(bool(r["products"]) for r in clean),
            sum(any(p["recommended"] for p in r["products"]) for r in clean)),
        "minimal pairs (对照)": len(pairs),
        "minimal pairs bigram Jaccard (max / mean)": (
            round(max(pair_js), 3) if pair_js else 0, round(sum(pair_js) / len(pair_js), 3) if pair_js else 0),
        "max bigram Jaccard outside pairs": (round(worst, 3), worst_pair),
    })
    for key, val in report.items():
        print(f"{key}: {val}")

    if not partial:
        for key, want in EXPECT_TOTALS.items():
            if totals[key] != want:
                problems.append(f"{key}: {totals[key]} (want {want})")
        if dict(per_label) != EXPECT_LABELS:
            problems.append(f"replies per label {dict(per_label)} (want {EXPECT_LABELS})")
        if dict(parts) != EXPECT_PARTS:
            problems.append(f"clean parts {dict(parts)} (want {EXPECT_PARTS})")
        if len(literal) > MAX_LITERAL_GR:
            problems.append(f"{len(literal)} return promises use a literal banned word (max {MAX_LITERAL_GR})")
        if len(english) < MIN_ENGLISH:
            problems.append(f"{len(english)} English or mixed replies (want at least {MIN_ENGLISH})")
        share = len(english) / max(len(ok), 1)
        if not ENGLISH_SHARE[0] <= share <= ENGLISH_SHARE[1]:
            problems.append(f"English or mixed share {share:.1%} outside {ENGLISH_SHARE}")
        if len(pairs) < MIN_PAIRS:
            problems.append(f"{len(pairs)} minimal pairs (want at least {MIN_PAIRS})")

    for p in problems:
        print("ERROR", p)
    print("OK" if not problems else f"FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main("--partial" in sys.argv[1:]))
