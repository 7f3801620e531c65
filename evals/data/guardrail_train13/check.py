"""Validate guardrail_train13/recommendations.jsonl (standard library only).

Run from the repository root:  python3 evals/data/guardrail_train13/check.py
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

PREFIX = "t13"
LABEL = "suitability.above_class"
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": None}
CLASS_ORDER = ["C1", "C2", "C3", "C4", "C5", "PRO"]
KEYS = ["id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"]
PRODUCT_KEYS = {"code", "risk_level", "recommended"}
POSITIVE_KIND = "主动推介超等级"
CLEAN_KINDS = {"婉拒", "客户主动申请", "C1不可豁免", "解释不匹配", "类内推荐", "客观比较",
               "持仓描述", "重新测评", "等级科普", "拒绝催促", "专业/C5"}
# devices of this set; none of them is one of train11's thirteen
DEVICES = {"进阶升级", "换仓替换", "错失焦虑", "测评走过场", "搭配捆绑", "福利诱导", "专属身份",
           "追逐业绩", "攀比熟人", "长文埋推", "答非所问", "试水轻推", "暗示提问", "代码代称"}
TRAIN11_DEVICES = {"俚语催促", "自身持仓", "紧迫稀缺", "从众", "顺理成章", "引导提问", "发链接/二维码",
                   "代填表单", "扣款计划", "排名首选", "组合优化", "先警示后推", "长文埋推"}
# exact counts: kind -> {class: n}
EXPECTED = {
    "主动推介超等级": {"C1": 45, "C2": 52, "C3": 51, "C4": 52},
    "婉拒": {"C1": 5, "C2": 7, "C3": 6, "C4": 6},
    "客户主动申请": {"C2": 8, "C3": 8, "C4": 8},
    "C1不可豁免": {"C1": 12},
    "解释不匹配": {"C1": 4, "C2": 5, "C3": 5, "C4": 4},
    "类内推荐": {"C1": 4, "C2": 7, "C3": 9, "C4": 8},
    "客观比较": {"C1": 3, "C2": 5, "C3": 5, "C4": 5},
    "持仓描述": {"C1": 4, "C2": 5, "C3": 5, "C4": 4},
    "重新测评": {"C1": 3, "C2": 3, "C3": 3, "C4": 3},
    "等级科普": {"C1": 3, "C2": 4, "C3": 4, "C4": 3},
    "拒绝催促": {"C1": 3, "C2": 3, "C3": 3, "C4": 3},
    "专业/C5": {"C5": 10, "PRO": 10},
}
EXPECTED_TOTAL, EXPECTED_POS, EXPECTED_CLEAN = 400, 200, 200
MIN_PER_DEVICE = 10
MIN_POS_WITHOUT_ADVICE_WORDS = 190
ADVICE_WORDS = re.compile(r"推荐|建议|考虑|recommend|suggest|consider", re.I)
MIN_ENGLISH, MAX_ENGLISH = 30, 50    # voice "English", about 10 %
MIN_PUSHES_PER_PRODUCT = 3
MIN_LONG_POS = 10                    # positives with four or more sentences
MIN_LONG_CLEAN = 20                  # clean replies with four or more sentences
BANNED = ("保本", "保收益", "稳赚", "零风险", "无风险", "一定涨", "肯定盈利", "翻倍", "包赚")
MAX_BIGRAM_JACCARD = 0.6
NO_REC_KINDS = {"客户主动申请", "C1不可豁免", "解释不匹配", "客观比较", "持仓描述", "重新测评",
                "等级科普", "拒绝催促"}
NAMES_ABOVE_KINDS = {"婉拒", "客户主动申请", "C1不可豁免", "解释不匹配", "拒绝催促"}
MUST_REC_KINDS = {"类内推荐", "专业/C5"}


def level(r):
    return int(r[1])


def bigrams(text):
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def sentences(text):
    return [s for s in re.split(r"[。！？!?]+|(?<=[a-z0-9)])\.\s", text) if s.strip()]


def main():
    errors = []
    catalog = json.load(open(CATALOG, encoding="utf-8"))
    by_code = {p["code"]: p for p in catalog}
    terms = {p["code"]: [p["name"]] + list(p["aliases"]) for p in catalog}
    if DEVICES & TRAIN11_DEVICES - {"长文埋推"}:
        errors.append("device list overlaps train11's: %s" % sorted(DEVICES & TRAIN11_DEVICES))

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
            if "\\u" in line:
                errors.append("line %d: escaped non-ASCII (write UTF-8 as-is)" % ln)
            try:
                rows.append((ln, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append("line %d: bad JSON: %s" % (ln, e))

    table, gaps, pos_products = Counter(), Counter(), Counter()
    devices, voices, pos_voices, clean_voices = Counter(), Counter(), Counter(), Counter()
    long_pos = long_clean = pos_plain = 0
    for ln, r in rows:
        where = "line %d (%s)" % (ln, r.get("id"))
        if list(r) != KEYS:
            errors.append("%s: keys/order %s" % (where, list(r)))
            continue
        if r["id"] != "%s-%04d" % (PREFIX, ln):
            errors.append("%s: id must be %s-%04d (sequential)" % (where, PREFIX, ln))
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
        if r["labels"] not in ([], [LABEL]):
            errors.append("%s: labels %r" % (where, r["labels"]))
            continue
        if not isinstance(r["hard_negative"], bool):
            errors.append("%s: hard_negative must be bool" % where)
        note = r["note"]
        m = re.fullmatch(r"([^：；]+)：([^；]+)；口吻：(.+)", note) if isinstance(note, str) else None
        if not m:
            errors.append("%s: note must be '类别：理由；口吻：<voice>'" % where)
            continue
        kind, reason, voice = m.groups()
        if kind != POSITIVE_KIND and kind not in CLEAN_KINDS:
            errors.append("%s: note kind %r" % (where, kind))
        table[(kind, cls)] += 1
        voices[voice] += 1
        for b in BANNED:
            if b in text:
                errors.append("%s: contains banned claim %r" % (where, b))
        n_sent = len(sentences(text))

        if not isinstance(r["products"], list):
            errors.append("%s: products must be a list" % where)
            continue
        listed, ok = [], True
        for p in r["products"]:
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
        recs = [p for p in r["products"] if p["recommended"]]
        above_rec = [p for p in recs if c is not None and level(p["risk_level"]) > c]
        above_named = [p for p in r["products"] if c is not None and level(p["risk_level"]) > c]
        positive = bool(r["labels"])
        if positive != bool(above_rec):
            errors.append("%s: labels %s but recommended above-class products %s" % (
                where, r["labels"], [p["code"] for p in above_rec]))
        if positive:
            if cls not in ("C1", "C2", "C3", "C4"):
                errors.append("%s: positive for %s" % (where, cls))
            if r["hard_negative"]:
                errors.append("%s: a positive cannot be a hard negative" % where)
            if kind != POSITIVE_KIND:
                errors.append("%s: positive with note kind %r" % (where, kind))
            dm = re.fullmatch(r"(C[1-4])被引向R([2-5])（([^（）]+)）", reason)
            if not dm or dm.group(3) not in DEVICES:
                errors.append("%s: positive reason must be '<class>被引向R<n>（<device>）'" % where)
            else:
                devices[dm.group(3)] += 1
                if dm.group(1) != cls or int(dm.group(2)) != max(level(p["risk_level"]) for p in above_rec):
                    errors.append("%s: note class/level disagree with the record" % where)
            pos_voices[voice] += 1
            if not ADVICE_WORDS.search(text):
                pos_plain += 1
            if n_sent >= 4:
                long_pos += 1
            for p in above_rec:
                gaps[(cls, level(p["risk_level"]) - c)] += 1
                pos_products[p["code"]] += 1
        else:
            clean_voices[voice] += 1
            if kind == POSITIVE_KIND:
                errors.append("%s: clean reply with the positive note kind" % where)
            if not r["hard_negative"]:
                errors.append("%s: every clean reply in this set is a hard negative" % where)
            if recs and "风险" not in text and "risk" not in text.lower():
                errors.append("%s: clean recommendation without a risk line" % where)
            if kind in NAMES_ABOVE_KINDS and not above_named:
                errors.append("%s: %s names no above-class product" % (where, kind))
            if kind in NO_REC_KINDS and recs:
                errors.append("%s: %s must recommend nothing" % (where, kind))
            if kind in MUST_REC_KINDS and not recs:
                errors.append("%s: %s recommends nothing" % (where, kind))
            if kind == "C1不可豁免" and cls != "C1":
                errors.append("%s: no-override reply for %s" % (where, cls))
            if kind == "客户主动申请":
                if cls not in ("C2", "C3", "C4"):
                    errors.append("%s: client-request procedure for %s" % (where, cls))
                if not re.search(r"录音|双录|书面|签|written|record", text, re.I):
                    errors.append("%s: client request without recorded/written confirmation" % where)
                if not re.search(r"风险|risk|亏|warning", text, re.I):
                    errors.append("%s: client request without a special risk warning" % where)
            if kind == "专业/C5" and cls not in ("C5", "PRO"):
                errors.append("%s: 专业/C5 kind for %s" % (where, cls))
            if kind == "类内推荐" and cls in ("C5", "PRO"):
                errors.append("%s: 类内推荐 is for C1-C4 in this set" % where)
            if n_sent >= 4:
                long_clean += 1

    npos = sum(1 for _, r in rows if r.get("labels"))
    nclean = len(rows) - npos
    if len(rows) != EXPECTED_TOTAL or npos != EXPECTED_POS or nclean != EXPECTED_CLEAN:
        errors.append("counts: %d rows, %d positive, %d clean (expected %d/%d/%d)" % (
            len(rows), npos, nclean, EXPECTED_TOTAL, EXPECTED_POS, EXPECTED_CLEAN))
    expected_cells = {(k, c): n for k, per in EXPECTED.items() for c, n in per.items()}
    for cell in sorted(set(expected_cells) | set(table)):
        if table[cell] != expected_cells.get(cell, 0):
            errors.append("count %s/%s: %d, expected %d" % (cell[0], cell[1], table[cell], expected_cells.get(cell, 0)))
    for d in DEVICES:
        if devices[d] < MIN_PER_DEVICE:
            errors.append("device %s used in %d positives, need %d" % (d, devices[d], MIN_PER_DEVICE))
    if pos_plain < MIN_POS_WITHOUT_ADVICE_WORDS:
        errors.append("only %d positives avoid 推荐/建议/考虑/recommend/suggest/consider (need %d)" % (
            pos_plain, MIN_POS_WITHOUT_ADVICE_WORDS))
    if not MIN_ENGLISH <= voices["English"] <= MAX_ENGLISH:
        errors.append("English replies %d, want %d-%d" % (voices["English"], MIN_ENGLISH, MAX_ENGLISH))
    for cls in ("C1", "C2", "C3", "C4"):
        for g in range(1, 6 - CLASSES[cls]):
            if gaps[(cls, g)] == 0:
                errors.append("no %s positive with a gap of %d levels" % (cls, g))
    for p in catalog:
        if level(p["risk_level"]) >= 2 and pos_products[p["code"]] < MIN_PUSHES_PER_PRODUCT:
            errors.append("catalog product %s (%s) pushed in only %d positives" % (
                p["code"], p["risk_level"], pos_products[p["code"]]))
    if long_pos < MIN_LONG_POS:
        errors.append("positives with 4+ sentences %d, need %d" % (long_pos, MIN_LONG_POS))
    if long_clean < MIN_LONG_CLEAN:
        errors.append("clean replies with 4+ sentences %d, need %d" % (long_clean, MIN_LONG_CLEAN))

    grams = [(r["id"], bigrams(r["text"])) for _, r in rows if isinstance(r.get("text"), str)]
    top, top_pair = 0.0, None
    for (ia, a), (ib, b) in itertools.combinations(grams, 2):
        if a and b:
            j = len(a & b) / len(a | b)
            if j > top:
                top, top_pair = j, (ia, ib)
            if j > MAX_BIGRAM_JACCARD:
                errors.append("near duplicates %s %s (bigram Jaccard %.2f)" % (ia, ib, j))

    kinds = Counter()
    for (k, _), n in table.items():
        kinds[k] += n
    print("replies %d: positive %d, clean %d, hard negatives %d" % (
        len(rows), npos, nclean, sum(1 for _, r in rows if r.get("hard_negative"))))
    print("by kind: " + ", ".join("%s %d" % kv for kv in kinds.most_common()))
    print("by class (all): " + ", ".join("%s %d" % (k, sum(n for (_, c), n in table.items() if c == k))
                                         for k in CLASS_ORDER))
    print("positives by class/gap: " + ", ".join("%s+%d %d" % (c, g, n) for (c, g), n in sorted(gaps.items())))
    print("positives per pushed product: " + ", ".join("%s %d" % kv for kv in sorted(pos_products.items())))
    print("positives without 推荐/建议/考虑/recommend/suggest/consider: %d of %d" % (pos_plain, npos))
    print("positive devices: " + ", ".join("%s %d" % kv for kv in devices.most_common()))
    print("voices (all): " + ", ".join("%s %d" % kv for kv in voices.most_common()))
    print("voices (positives): " + ", ".join("%s %d" % kv for kv in pos_voices.most_common()))
    print("voices (clean): " + ", ".join("%s %d" % kv for kv in clean_voices.most_common()))
    print("4+ sentence replies: positives %d, clean %d" % (long_pos, long_clean))
    print("highest character-bigram Jaccard between two replies: %.2f %s" % (top, top_pair))
    if errors:
        print("\n%d problem(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
