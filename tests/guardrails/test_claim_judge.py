"""The claim judge's part in the output rails, with a scripted judge (the model itself is tested
in tests/e2e/test_claim_judge_e2e.py)."""

from __future__ import annotations

import pytest

from agent.reply_gate import sentence_check
from guardrails.claim_judge import JudgeBand, JudgePolicy, Verdict, review, review_pattern
from guardrails.claim_scorer import load_scorer
from guardrails.output_rails import ReplyContext, check_reply, decide, pattern_sentences
from guardrails.policy import check_policy, load_policy
from guardrails.streaming import SentenceGate

POLICY = load_policy()
PROMISE_RULE = "claims.guaranteed_return"
BAND = JudgeBand(rule=PROMISE_RULE, prompt="claim_judge_guaranteed", consult_from=0.3, flag_at=0.8, withdraw_under=0.4)
WITHDRAW_ONLY = JudgeBand(rule="claims.certainty", prompt="claim_judge_certainty", consult_from=0.6, withdraw_under=0.2)
GREY = "这个产品亏钱的概率很小。"  # below the backstop's threshold, no pattern
FLAGGED = "本金这块您不用担心。"  # above it, no pattern: only the backstop flags it
LOW = "这只基金不保本，但收益稳定。"  # below the band
PATTERN_ONLY = "哪有什么零风险的买卖，您自己掂量仓位。"  # a promise pattern fires; the backstop scores it low
PATTERN_SURE = "这只产品保本保收益，放心买。"  # a pattern fires and the backstop is sure
REVIEWS_PATTERNS = BAND.model_copy(update={"pattern_review_under": 0.4, "pattern_withdraw_under": 0.4})


class ScriptedJudge:
    """Answers from a table and records what it was asked (the sentences, and the rules)."""

    name = "scripted"

    def __init__(self, answers: dict[str, float] | None = None, default: float = 0.5, fail: bool = False) -> None:
        self.answers, self.default, self.fail = answers or {}, default, fail
        self.asked: list[str] = []
        self.rules: list[str] = []

    def probability(self, rule: str, sentence: str) -> float:
        self.asked.append(sentence)
        self.rules.append(rule)
        if self.fail:
            raise TimeoutError("model too slow")
        return self.answers.get(sentence.strip(), self.default)


def score(text: str) -> float:
    scorer = load_scorer()
    assert scorer is not None
    return scorer.score(text).probability


def test_the_examples_sit_where_the_tests_need_them() -> None:
    threshold = load_scorer().models[PROMISE_RULE].threshold  # type: ignore[union-attr]
    band = POLICY.claim_judge.band(PROMISE_RULE) if POLICY.claim_judge else None
    assert band is not None and band.flag_at is not None
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


def test_where_the_backstop_is_surer_the_judge_flags_from_a_lower_bar() -> None:
    surer = BAND.model_copy(update={"surer_from": 0.6, "surer_flag_at": 0.6})
    judge = ScriptedJudge(default=0.65)
    assert review("句子。", 0.5, 0.8, surer, judge).review == "pass"  # below surer_from: flag_at 0.8 holds
    assert review("句子。", 0.6, 0.8, surer, judge).review == "flag"
    assert review("句子。", 0.7, 0.8, surer, ScriptedJudge(default=0.55)).review == "pass"
    assert review("句子。", 0.9, 0.8, surer, ScriptedJudge(default=0.3)).review == "withdraw"  # above the threshold as before
    assert review("句子。", 0.7, 0.8, BAND, judge).review == "pass"  # without the step, 0.65 is under flag_at


def test_a_surer_step_must_lower_the_bar_inside_the_band() -> None:
    fields = BAND.model_dump()
    for bad in ({"surer_from": 0.6}, {"surer_from": 0.6, "surer_flag_at": 0.9}, {"surer_from": 0.2, "surer_flag_at": 0.6}):
        with pytest.raises(ValueError, match="surer"):
            JudgeBand(**{**fields, **bad})
    with pytest.raises(ValueError, match="surer"):
        JudgeBand(**{**WITHDRAW_ONLY.model_dump(), "surer_from": 0.7, "surer_flag_at": 0.5})


def test_below_the_band_or_without_a_judge_the_backstop_decides_alone() -> None:
    judge = ScriptedJudge(default=1.0)
    assert review("句子。", 0.1, 0.8, BAND, judge).review == "pass" and judge.asked == []
    assert review("句子。", 0.5, 0.8, BAND, None).review == "pass"
    assert review("句子。", 0.9, 0.8, BAND, None).review == "keep"
    assert review("句子。", 0.9, 0.8, None, judge).review == "keep" and judge.asked == []  # a rule without a band


def test_a_band_without_flag_at_only_reviews_flags() -> None:
    never = ScriptedJudge(default=1.0)
    assert review("句子。", 0.5, 0.65, WITHDRAW_ONLY, never).review == "pass" and never.asked == []
    clear, unsure = ScriptedJudge(default=0.1), ScriptedJudge(default=0.3)
    assert review("句子。", 0.7, 0.65, WITHDRAW_ONLY, clear).review == "withdraw"
    assert review("句子。", 0.7, 0.65, WITHDRAW_ONLY, unsure).review == "keep"
    assert clear.rules == unsure.rules == ["claims.certainty"]


def test_one_band_per_rule_and_only_on_rules_with_patterns() -> None:
    with pytest.raises(ValueError, match="more than one band"):
        JudgePolicy(model="m", bands=[BAND, BAND])
    assert POLICY.claim_judge is not None and POLICY.claim_judge.band("claims.no_such_rule") is None
    stray = JudgePolicy(model="m", bands=[BAND.model_copy(update={"rule": "privacy.pii"})])
    with pytest.raises(ValueError, match="no claim patterns"):
        check_policy(POLICY.model_copy(update={"claim_judge": stray}))


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


def test_pattern_hits_the_backstop_is_sure_of_and_plain_sentences_never_wait_for_the_judge() -> None:
    judge = ScriptedJudge(default=0.0)
    rules = [h.rule_id for h in check_reply(PATTERN_SURE, ReplyContext(), POLICY, judge)]
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


def test_the_pattern_examples_sit_where_the_tests_need_them() -> None:
    band = POLICY.claim_judge.band(PROMISE_RULE) if POLICY.claim_judge else None
    assert band is not None and band.pattern_review_under is not None
    for sentence in (PATTERN_ONLY, PATTERN_SURE):
        assert [h.rule_id for h in check_reply(sentence, ReplyContext(), POLICY)] == [PROMISE_RULE]
    assert score(PATTERN_ONLY) < band.pattern_review_under <= score(PATTERN_SURE)


def test_review_pattern_withdraws_only_a_low_scored_hit_the_judge_reads_as_no_claim() -> None:
    assert review_pattern("句子。", 0.2, REVIEWS_PATTERNS, ScriptedJudge(default=0.1)) == Verdict("withdraw", 0.1)
    assert review_pattern("句子。", 0.2, REVIEWS_PATTERNS, ScriptedJudge(default=0.4)) == Verdict("keep", 0.4)
    sure = ScriptedJudge(default=0.0)
    assert review_pattern("句子。", 0.4, REVIEWS_PATTERNS, sure).review == "keep" and sure.asked == []
    assert review_pattern("句子。", 0.2, BAND, sure).review == "keep" and sure.asked == []  # a band that does not review patterns
    assert review_pattern("句子。", 0.2, REVIEWS_PATTERNS, None).review == "keep"
    failing = ScriptedJudge(fail=True)
    assert review_pattern("句子。", 0.2, REVIEWS_PATTERNS, failing).review == "keep" and failing.asked == ["句子。"]
    with pytest.raises(ValueError, match="pattern_review_under"):
        JudgeBand(**{**BAND.model_dump(), "pattern_review_under": 0.4})


def test_a_pattern_hit_the_judge_clears_is_logged_as_a_note_and_the_reply_passes() -> None:
    hits = check_reply(PATTERN_ONLY, ReplyContext(), POLICY, ScriptedJudge({PATTERN_ONLY: 0.05}))
    assert [(h.rule_id, h.severity) for h in hits] == [("claims.judge_withdrawn", "info")]
    assert hits[0].span == PATTERN_ONLY and "模式规则命中" in hits[0].detail and "0.05" in hits[0].detail
    assert decide(hits, POLICY).action == "pass"
    unsure = check_reply(PATTERN_ONLY, ReplyContext(), POLICY, ScriptedJudge({PATTERN_ONLY: 0.6}))
    assert [h.rule_id for h in unsure] == [PROMISE_RULE]


def test_a_pattern_hit_stands_when_any_sentence_holding_a_match_stands() -> None:
    for reply in (PATTERN_ONLY + PATTERN_SURE, PATTERN_SURE + PATTERN_ONLY):
        judge = ScriptedJudge({PATTERN_ONLY: 0.05})
        assert [h.rule_id for h in check_reply(reply, ReplyContext(), POLICY, judge)] == [PROMISE_RULE]
        assert PATTERN_SURE not in judge.asked  # the backstop is sure of it: the judge is not asked
    judge = ScriptedJudge({PATTERN_ONLY: 0.05})
    check_reply(PATTERN_ONLY + PATTERN_SURE, ReplyContext(), POLICY, judge)
    assert judge.asked == [PATTERN_ONLY]


def test_a_match_across_a_sentence_cut_is_never_withdrawn() -> None:
    reply = "这只产品年化收益;稳稳到手，" + PATTERN_ONLY  # "收益;稳稳到手" runs across the cut at ";"
    assert pattern_sentences(reply, PROMISE_RULE, POLICY) is None
    judge = ScriptedJudge(default=0.0)
    assert [h.rule_id for h in check_reply(reply, ReplyContext(), POLICY, judge)] == [PROMISE_RULE]
    assert pattern_sentences("货币基金流动性好。" + PATTERN_ONLY + PATTERN_SURE, PROMISE_RULE, POLICY) == [PATTERN_ONLY, PATTERN_SURE]


def test_a_failing_judge_leaves_the_pattern_hit() -> None:
    judge = ScriptedJudge(fail=True)
    assert [h.rule_id for h in check_reply(PATTERN_ONLY, ReplyContext(), POLICY, judge)] == [PROMISE_RULE]
    assert judge.asked == [PATTERN_ONLY]


def test_after_a_pattern_hit_is_withdrawn_the_backstop_still_reads_the_other_sentences() -> None:
    hits = check_reply(PATTERN_ONLY + FLAGGED, ReplyContext(), POLICY, ScriptedJudge({PATTERN_ONLY: 0.05}))
    assert [(h.rule_id, h.span) for h in hits] == [("claims.judge_withdrawn", PATTERN_ONLY), ("claims.likely_guarantee", FLAGGED)]


def test_the_stream_releases_a_sentence_whose_pattern_hit_the_judge_cleared() -> None:
    reply = "货币基金流动性好。" + PATTERN_ONLY + "请您自主决策。"
    cleared = SentenceGate(sentence_check(ReplyContext(), POLICY, [], [], ScriptedJudge({PATTERN_ONLY: 0.05})))
    cleared.feed(reply)
    cleared.close()
    assert cleared.text == reply and [h.rule_id for h in cleared.hits] == ["claims.judge_withdrawn"]
    kept = SentenceGate(sentence_check(ReplyContext(), POLICY, [], [], ScriptedJudge({PATTERN_ONLY: 0.6})))
    kept.feed(reply)
    kept.close()
    assert kept.text == "货币基金流动性好。" and [h.rule_id for h in kept.hits] == [PROMISE_RULE]  # a promise stops the stream
