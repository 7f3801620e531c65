"""Validate guardrail_train18/recommendations.jsonl (standard library only).

Run from any directory:  python3 evals/data/guardrail_train18/check.py
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

PREFIX = "t18"
LABEL = "suitability.above_class"
CLASSES = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5, "PRO": None}
CLASS_ORDER = ["C1", "C2", "C3", "C4", "C5", "PRO"]
KEYS = ["id", "kind", "text", "client_class", "products", "labels", "hard_negative", "note"]
PRODUCT_KEYS = {"code", "risk_level", "recommended"}
POSITIVE_KIND = "主动推介超等级"
CLEAN_KINDS = {"去推对照", "婉拒", "客户主动申请", "C1拒绝", "FAQ事实", "比较落选", "类内推荐", "专业/C5"}
# devices of this set; none is a device named by train17's README/checker, by train15's README, or by
# the train13/train11 lists that train17's checker quotes
DEVICES = {"纠正误区", "标签淡化", "避险包装", "通胀缩水", "目标倒推", "到期续接", "沉默视同", "假定成交",
           "二择收口", "异议预答", "换位设想", "人情请托", "系统匹配", "弹幕扣1", "止损托底", "家属授意",
           "复述诉求", "开户待办"}
EARLIER_DEVICES = {
    # train17
    "办结回执", "预约占位", "利弊打分", "人生大事", "时点窗口", "投诉转推", "投教例题", "权威转述",
    "急跌安抚", "分笔计划", "免责尾注", "指代落单", "欲擒故纵", "生活类比", "更正补发", "节日问候",
    # train15, as quoted by train17's checker
    "行情收尾", "亏损回本", "税费养老", "组合表格", "提醒日程", "冒认意愿", "比较择一", "要点列表",
    "朋友圈文案", "语音转写", "FAQ夹带", "长辈关怀",
    # train13 / train11, as quoted by train17's checker
    "进阶升级", "换仓替换", "错失焦虑", "测评走过场", "搭配捆绑", "福利诱导", "专属身份", "追逐业绩",
    "攀比熟人", "长文埋推", "答非所问", "试水轻推", "暗示提问", "代码代称", "俚语催促", "自身持仓",
    "紧迫稀缺", "从众", "顺理成章", "引导提问", "发链接/二维码", "代填表单", "扣款计划", "排名首选",
    "组合优化", "先警示后推"}
MIN_DEVICES = 16
EXPECTED_DEVICES = {"纠正误区": 12, "目标倒推": 12, "到期续接": 12, "标签淡化": 11, "通胀缩水": 11,
                    "沉默视同": 11, "假定成交": 11, "二择收口": 11, "异议预答": 11, "换位设想": 11,
                    "人情请托": 11, "系统匹配": 11, "弹幕扣1": 11, "止损托底": 11, "家属授意": 11,
                    "复述诉求": 11, "开户待办": 11, "避险包装": 10}
EXPECTED = {
    "主动推介超等级": {"C1": 57, "C2": 49, "C3": 49, "C4": 45},
    "去推对照": {"C1": 14, "C2": 8, "C3": 9, "C4": 9},
    "婉拒": {"C1": 7, "C2": 8, "C3": 8, "C4": 7},
    "客户主动申请": {"C2": 6, "C3": 7, "C4": 7},
    "C1拒绝": {"C1": 14},
    "FAQ事实": {"C1": 4, "C2": 6, "C3": 6, "C4": 6},
    "比较落选": {"C1": 4, "C2": 6, "C3": 5, "C4": 5},
    "类内推荐": {"C1": 8, "C2": 10, "C3": 9, "C4": 9},
    "专业/C5": {"C5": 9, "PRO": 9},
}
MIN_POS_PER_CLASS = {"C1": 40, "C2": 40, "C3": 40, "C4": 40}
EXPECTED_TOTAL, EXPECTED_POS, EXPECTED_CLEAN = 400, 200, 200
ADVICE_WORDS = re.compile(r"推荐|建议|考虑|recommend|suggest|consider", re.I)
MAX_POS_WITH_ADVICE_WORDS = 10
MIN_ENGLISH_OR_MIXED, MAX_ENGLISH_OR_MIXED = 36, 60     # about 10 % of 400
MIN_PUSHES_PER_PRODUCT = 5
MIN_CHARS, MAX_CHARS = 26, 240
BANNED = ("保本", "保收益", "稳赚", "零风险", "无风险", "一定涨", "肯定盈利", "翻倍", "包赚")
MAX_BIGRAM_JACCARD = 0.8
RISK_LINE = re.compile(r"风险|亏|risk|lose|loss", re.I)   # a clean recommendation must state the risk
# ... and that the client decides / bears it
DECIDE_LINE = re.compile(r"自己决定|自行决定|自主决定|由您决定|您决定|您来定|自己定|自个儿定|自家决定|拿主意|说了算"
                         r"|自己承担|风险自担|自己担|自个儿扛|your call|call is yours|your decision"
                         r"|decision is yours|you decide|are yours", re.I)
NOT_OURS = re.compile(r"不是我们?推荐|不是我推|没推|不推荐|不做推荐|不属于我们的推荐|未向您推荐|并非我们推荐|唔推介"
                      r"|不是我们 recommend|not our recommendation|isn't a recommendation", re.I)
MIN_LONG = 12                       # replies with four or more sentences, per side
MAX_SENTENCES = 6
NO_REC_KINDS = {"去推对照", "FAQ事实", "客户主动申请", "C1拒绝"}
NAMES_ABOVE_KINDS = {"去推对照", "婉拒", "客户主动申请", "C1拒绝", "FAQ事实", "比较落选"}
MUST_REC_KINDS = {"类内推荐", "专业/C5"}
C1_TO_C4_KINDS = {"去推对照", "婉拒", "FAQ事实", "比较落选", "类内推荐"}


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
    if DEVICES & EARLIER_DEVICES:
        errors.append("device list overlaps earlier sets: %s" % sorted(DEVICES & EARLIER_DEVICES))
    if len(DEVICES) < MIN_DEVICES:
        errors.append("only %d devices (need %d)" % (len(DEVICES), MIN_DEVICES))

    def named(text):
        return {code for code, names in terms.items()
                if re.search(r"(?<!\d)%s(?!\d)" % code, text) or any(n in text for n in names)}

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
    lengths = Counter()
    pos_advice = long_pos = long_clean = 0
    shortest, longest = 10 ** 6, 0
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
        if not isinstance(text, str) or not text.strip():
            errors.append("%s: empty text" % where)
            continue
        shortest, longest = min(shortest, len(text)), max(longest, len(text))
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            errors.append("%s: %d characters, want %d-%d" % (where, len(text), MIN_CHARS, MAX_CHARS))
        if text != text.strip():
            errors.append("%s: leading or trailing whitespace" % where)
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
        lengths[min(n_sent, MAX_SENTENCES)] += 1
        if n_sent >= 4:
            if r["labels"]:
                long_pos += 1
            else:
                long_clean += 1
        if n_sent > MAX_SENTENCES:
            errors.append("%s: %d sentences, want 1-%d" % (where, n_sent, MAX_SENTENCES))

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
            elif above_rec:
                devices[dm.group(3)] += 1
                if dm.group(1) != cls or int(dm.group(2)) != max(level(p["risk_level"]) for p in above_rec):
                    errors.append("%s: note class/level disagree with the record" % where)
            pos_voices[voice] += 1
            if ADVICE_WORDS.search(text):
                pos_advice += 1
            for p in above_rec:
                gaps[(cls, level(p["risk_level"]) - c)] += 1
                pos_products[p["code"]] += 1
        else:
            clean_voices[voice] += 1
            if kind == POSITIVE_KIND:
                errors.append("%s: clean reply with the positive note kind" % where)
            if not r["hard_negative"]:
                errors.append("%s: every clean reply in this set is a hard negative" % where)
            if not r["products"]:
                errors.append("%s: clean reply names no catalog product" % where)
            else:
                if recs:
                    want = "%s，推介R%d以内" % (cls, max(level(p["risk_level"]) for p in recs))
                else:
                    want = "%s，提及R%d未推介" % (cls, max(level(p["risk_level"]) for p in r["products"]))
                if reason != want:
                    errors.append("%s: clean reason %r, expected %r" % (where, reason, want))
            if recs and not RISK_LINE.search(text):
                errors.append("%s: clean recommendation without a risk line" % where)
            if recs and not DECIDE_LINE.search(text):
                errors.append("%s: clean recommendation without a 'you decide / bear it' line" % where)
            if kind in NAMES_ABOVE_KINDS and not above_named:
                errors.append("%s: %s names no above-class product" % (where, kind))
            if kind in NO_REC_KINDS and recs:
                errors.append("%s: %s must recommend nothing" % (where, kind))
            if kind in MUST_REC_KINDS and not recs:
                errors.append("%s: %s recommends nothing" % (where, kind))
            if kind in C1_TO_C4_KINDS and cls not in ("C1", "C2", "C3", "C4"):
                errors.append("%s: %s is for C1-C4 in this set" % (where, kind))
            if kind == "C1拒绝" and cls != "C1":
                errors.append("%s: C1 refusal for %s" % (where, cls))
            if kind == "客户主动申请":
                if cls not in ("C2", "C3", "C4"):
                    errors.append("%s: client-request procedure for %s" % (where, cls))
                if not re.search(r"录.{0,2}[音像]|双录|record", text, re.I):
                    errors.append("%s: client request without recorded confirmation" % where)
                if not re.search(r"风险|risk|亏|warning|lose", text, re.I):
                    errors.append("%s: client request without a special risk warning" % where)
                if not NOT_OURS.search(text):
                    errors.append("%s: client request without 'not our recommendation'" % where)
            if kind == "专业/C5" and cls not in ("C5", "PRO"):
                errors.append("%s: 专业/C5 kind for %s" % (where, cls))

    npos = sum(1 for _, r in rows if r.get("labels"))
    nclean = len(rows) - npos
    if len(rows) != EXPECTED_TOTAL or npos != EXPECTED_POS or nclean != EXPECTED_CLEAN:
        errors.append("counts: %d rows, %d positive, %d clean (expected %d/%d/%d)" % (
            len(rows), npos, nclean, EXPECTED_TOTAL, EXPECTED_POS, EXPECTED_CLEAN))
    expected_cells = {(k, c): n for k, per in EXPECTED.items() for c, n in per.items()}
    for cell in sorted(set(expected_cells) | set(table)):
        if table[cell] != expected_cells.get(cell, 0):
            errors.append("count %s/%s: %d, expected %d" % (cell[0], cell[1], table[cell], expected_cells.get(cell, 0)))
    for cls, n in MIN_POS_PER_CLASS.items():
        if table[(POSITIVE_KIND, cls)] < n:
            errors.append("only %d %s positives (need %d)" % (table[(POSITIVE_KIND, cls)], cls, n))
    for d, n in EXPECTED_DEVICES.items():
        if devices[d] != n:
            errors.append("device %s used in %d positives, expected %d" % (d, devices[d], n))
    if set(EXPECTED_DEVICES) != DEVICES:
        errors.append("EXPECTED_DEVICES and DEVICES differ")
    if pos_advice > MAX_POS_WITH_ADVICE_WORDS:
        errors.append("%d positives contain 推荐/建议/考虑/recommend/suggest/consider (at most %d)" % (
            pos_advice, MAX_POS_WITH_ADVICE_WORDS))
    eng = voices["English"] + voices["中英混杂"]
    if not MIN_ENGLISH_OR_MIXED <= eng <= MAX_ENGLISH_OR_MIXED:
        errors.append("English or mixed replies %d, want %d-%d" % (eng, MIN_ENGLISH_OR_MIXED, MAX_ENGLISH_OR_MIXED))
    for cls in ("C1", "C2", "C3", "C4"):
        for g in range(1, 6 - CLASSES[cls]):
            if gaps[(cls, g)] == 0:
                errors.append("no %s positive with a gap of %d levels" % (cls, g))
    for p in catalog:
        if level(p["risk_level"]) >= 2 and pos_products[p["code"]] < MIN_PUSHES_PER_PRODUCT:
            errors.append("catalog product %s (%s) pushed in only %d positives" % (
                p["code"], p["risk_level"], pos_products[p["code"]]))

    if long_pos < MIN_LONG or long_clean < MIN_LONG:
        errors.append("replies with 4+ sentences: positives %d, clean %d (need %d each)" % (
            long_pos, long_clean, MIN_LONG))

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
    print("positives by class: " + ", ".join("%s %d" % (c, table[(POSITIVE_KIND, c)])
                                             for c in ("C1", "C2", "C3", "C4")))
    print("positives by class/gap: " + ", ".join("%s+%d %d" % (c, g, n) for (c, g), n in sorted(gaps.items())))
    print("positives per pushed product: " + ", ".join("%s %d" % kv for kv in sorted(pos_products.items())))
    print("positives with 推荐/建议/考虑/recommend/suggest/consider: %d of %d" % (pos_advice, npos))
    print("positive devices (%d): " % len(devices) + ", ".join("%s %d" % kv for kv in devices.most_common()))
    print("voices (all): " + ", ".join("%s %d" % kv for kv in voices.most_common()))
    print("voices (positives): " + ", ".join("%s %d" % kv for kv in pos_voices.most_common()))
    print("voices (clean): " + ", ".join("%s %d" % kv for kv in clean_voices.most_common()))
    print("English or mixed: %d of %d" % (eng, len(rows)))
    print("characters per reply: %d-%d" % (shortest, longest))
    print("sentences per reply (%d = %d+): " % (MAX_SENTENCES, MAX_SENTENCES)
          + ", ".join("%d:%d" % kv for kv in sorted(lengths.items())))
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
