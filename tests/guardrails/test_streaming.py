import pytest

from guardrails.models import RuleHit
from guardrails.streaming import SentenceDecision, SentenceGate, complete_part, split_complete

BAD = RuleHit(rule_id="claims.guaranteed_return", severity="block", version=1)


def check(sentence: str, released: str) -> SentenceDecision:
    if "保本" in sentence:
        return SentenceDecision("stop", hits=[BAD])
    if "99%" in sentence:
        return SentenceDecision("drop")
    return SentenceDecision("release", text=sentence.replace("13800138000", "138****8000"))


@pytest.mark.parametrize(
    ("buffer", "done", "rest"),
    [
        ("甲。乙", ["甲。"], "乙"),
        ("费率1.2%。", [], "费率1.2%。"),  # a closing quote may still follow the full stop
        ("他说“好。”然后", ["他说“好。”"], "然后"),
        ("第一行\n第二", ["第一行\n"], "第二"),
    ],
)
def test_sentences_complete_only_at_a_terminator(buffer: str, done: list[str], rest: str) -> None:
    assert split_complete(buffer) == (done, rest)


def test_a_gate_releases_passed_sentences_as_they_complete_and_stops_at_a_block() -> None:
    gate = SentenceGate(check)
    out = []
    for piece in ["您好", "，电话13800138000。", "收益率", "99%。稳健", "为主。这只保本。", "之后。"]:
        out += gate.feed(piece)
    out += gate.close()
    assert out == ["您好，电话138****8000。", "稳健为主。"]
    assert gate.stopped and gate.hits == [BAD] and gate.text == "".join(out)


def test_an_unterminated_last_sentence_is_checked_at_close() -> None:
    gate = SentenceGate(check)
    assert gate.feed("最后一句没有句号") == []
    assert gate.close() == ["最后一句没有句号"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [("甲。乙丙", "甲。"), ("甲。”乙", "甲。”"), ("甲！\n乙", "甲！\n"), ("甲。", "甲。"), ("甲", "")],
)
def test_the_complete_part_ends_with_the_last_whole_sentence(text: str, kept: str) -> None:
    assert complete_part(text) == kept


PUSH = RuleHit(rule_id="suitability.above_class", severity="block", version=1)


class Windows:
    """A holdback over products A (above class) and B (in class): a window that says 买 blocks."""

    def __init__(self) -> None:
        self.settled: list[str] = []

    def opens(self, sentence: str) -> bool:
        return "A" in sentence or "B" in sentence

    def holds(self, sentence: str) -> bool:
        return "A" in sentence

    def settle(self, window: str) -> list[RuleHit]:
        self.settled.append(window)
        return [PUSH] if "买" in window else []


def test_a_window_is_held_until_the_next_product_is_named_then_released_whole() -> None:
    holdback = Windows()
    gate = SentenceGate(check, holdback)
    # (a sentence completes when the next one starts: a closing quote might still follow its 。)
    assert gate.feed("您好。A") == ["您好。"]
    assert gate.feed("是R4。它") == []  # opens a window on the above-class product
    assert gate.feed("波动大。B") == []  # names no product: part of the window
    assert gate.feed("是R2。其") == ["A是R4。", "它波动大。", "B是R2。"]  # B closes it and opens no held window
    assert holdback.settled == ["A是R4。它波动大。"]
    assert gate.feed("余。") == []
    assert gate.close() == ["其余。"] and not gate.stopped and gate.text == "您好。A是R4。它波动大。B是R2。其余。"


def test_a_window_that_blocks_stops_the_stream_and_none_of_it_is_shown() -> None:
    gate = SentenceGate(check, Windows())
    out = gate.feed("先说费率。A是R4。就它了。") + gate.feed("今天就买。B也行。后")
    assert out == ["先说费率。"]
    assert gate.stopped and gate.hits == [PUSH] and gate.text == "先说费率。"
    assert gate.feed("之后。") == [] and gate.close() == []


def test_a_window_still_open_at_the_end_is_settled_at_close() -> None:
    gate = SentenceGate(check, Windows())
    assert gate.feed("A是R4。它不适合您") == []
    assert gate.close() == ["A是R4。", "它不适合您"]
    blocked = SentenceGate(check, Windows())
    assert blocked.feed("A是R4。它值得买") == []
    assert blocked.close() == [] and blocked.stopped and blocked.hits == [PUSH]


def test_a_sentence_stop_inside_a_window_discards_the_held_sentences() -> None:
    gate = SentenceGate(check, Windows())
    assert gate.feed("A是R4。这只保本。后") == []
    assert gate.stopped and gate.hits == [BAD] and gate.text == ""
    assert gate.close() == []


def test_a_dropped_sentence_is_settled_with_its_window_but_never_shown() -> None:
    holdback = Windows()
    gate = SentenceGate(check, holdback)
    assert gate.feed("A是R4。收益率99%。它波动大。") == []
    assert gate.close() == ["A是R4。", "它波动大。"]
    assert holdback.settled == ["A是R4。收益率99%。它波动大。"]  # the window as drafted


def test_a_dropped_sentence_still_opens_and_closes_windows() -> None:
    holdback = Windows()
    gate = SentenceGate(check, holdback)
    # A dropped sentence naming A opens a window: the push after it is read against A.
    assert gate.feed("A近一年涨了99%。就它了，快买。") == [] and gate.close() == []
    assert gate.stopped and gate.hits == [PUSH] and holdback.settled == ["A近一年涨了99%。就它了，快买。"]
    # A dropped sentence naming B closes A's window: what follows is B's, never settled against A.
    holdback = Windows()
    gate = SentenceGate(check, holdback)
    assert gate.feed("A是R4。B年化99%。就它了，快买。后") == ["A是R4。", "就它了，快买。"]
    assert holdback.settled == ["A是R4。"] and not gate.stopped


def test_an_aborted_draft_settles_its_held_window_and_discards_the_unfinished_piece() -> None:
    gate = SentenceGate(check, Windows())
    assert gate.feed("A是R4。它不适合您。半句") == []
    assert gate.abort() == ["A是R4。", "它不适合您。"] and gate.text == "A是R4。它不适合您。"
    blocked = SentenceGate(check, Windows())
    assert blocked.feed("A是R4。就它了，快买。半句") == []
    assert blocked.abort() == [] and blocked.stopped and blocked.hits == [PUSH]
