"""Where a phrase stands in a reply: its sentence, its clause, whether a negation or a quotation
covers it. Shared by the banned-claim and the recommendation rules; pure functions, no I/O.

A negation covers a phrase when it stands before it in the same clause (within LOOKBACK
characters) and no scope break (就/都/便/则) stands between them, so the condition in
"只要不赎回就不会亏" does not cancel the promise after it. Words that only look like a negation
(不过, 不少, 不如, 不用担心 ...) are removed from the clause before the test; the policy lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CLAUSE_BREAK = re.compile(r"[。！？；!?;，,：:\n—]")
SENTENCE_BREAK = re.compile(r"[。！？!?\n]")
STATEMENT_BREAK = re.compile(r"[。！？!?；;\n]")
# A statement ends at a full stop or a semicolon: "之前推荐的是A；B是您自己加购的" is two statements.
STATEMENT = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
# A sentence ends where a streamed reply is cut (guardrails.streaming): a full stop, a question or
# exclamation mark, a line break; a semicolon does not end it.
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
SCOPE_BREAK = re.compile(r"[就都便则]")
LOOKBACK = 10
QUOTES = (("“", "”"), ("「", "」"), ("『", "』"), ("《", "》"))


def clause_prefix(text: str, start: int, lookback: int = LOOKBACK) -> str:
    """The text of the clause before ``start``: at most ``lookback`` Chinese characters, where
    three ASCII characters count as one (an English clause needs words, not letters)."""
    begin, weight = start, 0.0
    while begin > 0 and weight + (1 / 3 if text[begin - 1].isascii() else 1) <= lookback:
        begin -= 1
        weight += 1 / 3 if text[begin].isascii() else 1
    window = text[begin:start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def is_negated(text: str, start: int, negations: Iterable[str], false_negations: Iterable[str] = ()) -> bool:
    """Whether a negation in the same clause, before ``start``, covers the phrase at ``start``."""
    prefix = clause_prefix(text, start)
    for word in false_negations:
        prefix = prefix.replace(word, "·")
    scope = list(SCOPE_BREAK.finditer(prefix))
    if scope:
        prefix = prefix[scope[-1].end() :]
    prefix = prefix.lower()
    return any(neg in prefix for neg in negations)


def in_quotes(text: str, start: int) -> bool:
    """Whether ``start`` falls inside a quotation (Chinese corner or curly quotes, or ASCII ")."""
    before = text[:start]
    if any(before.count(open_) > before.count(close) for open_, close in QUOTES):
        return True
    return before.count('"') % 2 == 1


def _bounds(text: str, start: int, breaks: re.Pattern[str]) -> tuple[int, int]:
    """Where the piece of ``text`` holding ``start`` begins and ends, cut at ``breaks``."""
    begin = max((m.end() for m in breaks.finditer(text, 0, start)), default=0)
    end = breaks.search(text, start)
    return begin, end.start() if end else len(text)


def sentence_at(text: str, start: int) -> str:
    """The sentence (up to a full stop, question or exclamation mark) holding ``start``."""
    begin, end = _bounds(text, start, SENTENCE_BREAK)
    return text[begin:end]


def statement_at(text: str, start: int) -> tuple[str, str]:
    """The statement (up to a full stop, question or exclamation mark, semicolon or line break)
    holding ``start``, and its part before ``start``."""
    begin, end = _bounds(text, start, STATEMENT_BREAK)
    return text[begin:end], text[begin:start]


TAG_BREAK = re.compile(r"[，,]")
TAG_TRIM = "？?!！。~～ 　呀啊呢嘛哈"
ASKING = ("吗", "呢", "么")  # a clause that asks itself ("保本吗，好不好？")


def is_question(text: str, start: int, rhetorical: Iterable[str], tags: Iterable[re.Pattern[str]] = ()) -> bool:
    """Whether the sentence holding ``start`` asks a question (ends with ？ or ?) that is not
    rhetorical ("怎么会亏呢？" asserts; "您是想找保本的产品吗？" does not) and does not end in a tag
    that asks the client to agree with what comes before it ("差多少我给你补上，中不中？" asserts)."""
    end = SENTENCE_BREAK.search(text, start)
    if not end or end.group(0) not in "？?":
        return False
    sentence = sentence_at(text, start)
    if any(marker in sentence for marker in rhetorical):
        return False
    *before, last = TAG_BREAK.split(sentence)
    stated = bool(before) and bool(before[-1].strip()) and not before[-1].strip().endswith(ASKING)
    return not (stated and any(tag.fullmatch(last.strip(TAG_TRIM).lower()) for tag in tags))


def statements(text: str) -> list[str]:
    """The reply cut at full stops and semicolons, stripped, empty pieces dropped."""
    return [s.strip() for s in STATEMENT.findall(text) if s.strip()]


def sentences(text: str) -> list[str]:
    """The reply cut where the stream cuts it (full stops, question and exclamation marks, line
    breaks; not semicolons), stripped, empty pieces dropped."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]
