import pytest

from guardrails.grounding import drop_ungrounded, figures_in


def test_figures_are_normalised_by_value() -> None:
    values = {f.value for f in figures_in("规模１.２亿元，费率0.50%，2025年3月成立，最低申购1,000元。")}
    assert {"120000000", "0.5", "2025-03", "1000"} <= values


def test_small_bare_numbers_are_not_figures() -> None:
    assert figures_in("建议分3次买入，持有2年以上。") == []


@pytest.mark.parametrize(
    ("reply", "evidence"),
    [
        ("该基金管理费为1.2%。", "管理费率 1.20%/年"),
        ("规模约1.2亿元。", "基金规模：12000万元"),
        ("报告发布于2026年10月。", "发布日期：2026-10-12"),
    ],
)
def test_figures_found_in_the_evidence_are_kept(reply: str, evidence: str) -> None:
    kept, dropped = drop_ungrounded(reply, [evidence])
    assert kept == reply and dropped == []


def test_a_sentence_with_an_invented_figure_is_dropped_and_the_rest_kept() -> None:
    reply = "该基金属于中风险产品。近一年收益率为23.5%。管理费为1.2%。"
    kept, dropped = drop_ungrounded(reply, ["管理费 1.2%，风险等级R3（中风险）"])
    assert dropped == ["近一年收益率为23.5%。"]
    assert kept == "该基金属于中风险产品。管理费为1.2%。"
