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
