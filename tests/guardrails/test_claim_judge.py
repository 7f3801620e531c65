"""The claim judge's part in the output rails, with a scripted judge (the model itself is tested
in tests/e2e/test_claim_judge_e2e.py)."""

from __future__ import annotations

import pytest

from agent.reply_gate import sentence_check
from guardrails.claim_judge import JudgeBand, review
from guardrails.claim_scorer import load_scorer
from guardrails.output_rails import ReplyContext, check_reply, decide
from guardrails.policy import load_policy
from guardrails.streaming import SentenceGate

POLICY = load_policy()
BAND = JudgeBand(rule="claims.guaranteed_return", model="scripted", consult_from=0.3, flag_at=0.8, withdraw_under=0.4)
GREY = "这个产品历史上几乎没有亏过钱，您可以安心持有。"  # below the backstop's threshold, no pattern
FLAGGED = "本金这块您不用担心。"  # above it, no pattern: only the backstop flags it
LOW = "这只基金不保本，但收益稳定。"  # below the band


class ScriptedJudge:
    """Answers from a table and records what it was asked."""

    name = "scripted"

    def __init__(self, answers: dict[str, float] | None = None, default: float = 0.5, fail: bool = False) -> None:
        self.answers, self.default, self.fail = answers or {}, default, fail
        self.asked: list[str] = []

    def promise_probability(self, sentence: str) -> float:
        self.asked.append(sentence)
        if self.fail:
            raise TimeoutError("model too slow")
        return self.answers.get(sentence.strip(), self.default)


def score(text: str) -> float:
    scorer = load_scorer()
    assert scorer is not None
    return scorer.score(text).probability


def test_the_examples_sit_where_the_tests_need_them() -> None:
    threshold = load_scorer().models["claims.guaranteed_return"].threshold  # type: ignore[union-attr]
    band = POLICY.claim_judge
    assert band is not None and band.rule == "claims.guaranteed_return"
    assert band.consult_from <= score(GREY) < threshold <= score(FLAGGED)
    assert score(LOW) < band.consult_from


@pytest.mark.parametrize(
    ("score_", "probability", "expected"),
    [(0.5, 0.9, "flag"), (0.5, 0.8, "flag"), (0.5, 0.5, "pass"), (0.9, 0.1, "withdraw"), (0.9, 0.5, "keep"), (0.9, 0.4, "keep")],
)
def test_review_flags_in_the_band_and_withdraws_above_the_threshold(score_: float, probability: float, expected: str) -> None:
    verdict = review("句子。", score_, 0.8, BAND, ScriptedJudge(default=probability))
    assert verdict.review == expected and verdict.probability == probability
    assert verdict.flagged == (expected in ("flag", "keep"))


def test_below_the_band_or_without_a_judge_the_backstop_decides_alone() -> None:
    judge = ScriptedJudge(default=1.0)
    assert review("句子。", 0.1, 0.8, BAND, judge).review == "pass" and judge.asked == []
    assert review("句子。", 0.5, 0.8, BAND, None).review == "pass"
    assert review("句子。", 0.9, 0.8, BAND, None).review == "keep"


def test_a_failing_judge_leaves_the_backstops_decision() -> None:
    judge = ScriptedJudge(fail=True)
    assert review("句子。", 0.5, 0.8, BAND, judge) == review("句子。", 0.5, 0.8, BAND, None)
    assert review("句子。", 0.9, 0.8, BAND, judge).flagged
    assert judge.asked == ["句子。", "句子。"]


def test_the_judge_flags_a_grey_sentence_the_backstop_let_through() -> None:
    assert not [h for h in check_reply(GREY, ReplyContext(), POLICY) if h.rule_id.startswith("claims.")]
    hits = check_reply(GREY, ReplyContext(), POLICY, ScriptedJudge({GREY: 0.95}))
    assert [h.rule_id for h in hits] == ["claims.likely_guarantee"]
    assert "scripted" in hits[0].detail and "0.95" in hits[0].detail and hits[0].span == GREY


def test_a_withdrawn_flag_is_logged_as_a_note_and_the_reply_passes() -> None:
    assert [h.rule_id for h in check_reply(FLAGGED, ReplyContext(), POLICY)] == ["claims.likely_guarantee"]
    hits = check_reply(FLAGGED, ReplyContext(), POLICY, ScriptedJudge({FLAGGED: 0.05}))
    assert [(h.rule_id, h.severity) for h in hits] == [("claims.judge_withdrawn", "info")]
    assert decide(hits, POLICY).action == "pass"


def test_pattern_hits_and_plain_sentences_never_wait_for_the_judge() -> None:
    judge = ScriptedJudge(default=0.0)
    rules = [h.rule_id for h in check_reply("这只产品保本保收益，放心买。", ReplyContext(), POLICY, judge)]
    assert rules == ["claims.guaranteed_return"]
    check_reply("货币基金流动性好。" + LOW, ReplyContext(), POLICY, judge)
    assert judge.asked == []


def test_the_stream_drops_the_sentence_the_judge_flags_and_keeps_the_one_it_clears() -> None:
    judge = ScriptedJudge({GREY: 0.9, FLAGGED: 0.01})
    gate = SentenceGate(sentence_check(ReplyContext(), POLICY, [], [], judge))
    gate.feed("货币基金流动性好。" + GREY + FLAGGED + "请您自主决策。")
    gate.close()
    assert gate.text == "货币基金流动性好。" + FLAGGED + "请您自主决策。"
    assert [h.rule_id for h in gate.hits] == ["claims.likely_guarantee", "claims.judge_withdrawn"]
