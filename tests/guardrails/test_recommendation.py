from guardrails.policy import load_policy
from guardrails.recommendation import find_above_class_recommendation
from tests.guardrails.products import ALIASES, R2, R4, result

POLICY = load_policy()


def found(text: str) -> str | None:
    return find_above_class_recommendation(text, [R4], POLICY, ALIASES, suitable=[R2])


def test_a_recommendation_by_alias_is_found() -> None:
    assert found("华晟科技我强烈推荐，下个月开放申购。") == "华晟科技我强烈推荐，下个月开放申购。"


def test_a_recommendation_by_code_and_by_deictic_is_found() -> None:
    assert found("可以试试933401，收益能上一个台阶。")
    assert found("华晟科技成长混合去年表现不错。这只值得长期持有。") == "这只值得长期持有。"


def test_stating_the_mismatch_or_negating_is_not_a_recommendation() -> None:
    assert found("华晟科技成长混合为R4产品，超出您的风险等级，不建议购买。") is None
    assert found("华晟科技成长混合我不推荐给您。") is None
    assert found("您是想问华晟科技成长混合适不适合您吗？") is None


def test_a_recommendation_of_a_suitable_product_named_beside_it_is_not_counted() -> None:
    text = "华晟科技成长混合波动很大。我推荐您考虑鑫和纯债A。"
    assert found(text) is None


def test_no_unsuitable_product_means_nothing_to_find() -> None:
    assert find_above_class_recommendation("我推荐鑫和纯债A。", [], POLICY) is None
    assert R2.is_suitable


def test_cue_patterns_see_past_long_product_names() -> None:
    both = result("933402", "新能源产业股票A", "R4")
    text = "最近两个赛道都很热，建议您华晟科技成长混合和新能源产业股票A各配一半。"
    assert find_above_class_recommendation(text, [R4, both], POLICY, ALIASES)


def test_an_allocation_that_includes_the_product_is_a_recommendation() -> None:
    assert found("给您搭一个组合：七成鑫和纯债A，三成华晟科技成长混合，攻守兼备。")


def test_a_statement_about_a_suitable_product_is_not_pinned_on_the_unsuitable_one() -> None:
    assert found("之前给您推荐的是鑫和纯债A；您后来自己加购的华晟科技成长混合属于超等级购买。") is None


def test_a_concession_followed_by_a_recommendation_is_caught() -> None:
    assert found("虽然华晟科技成长混合是R4，比您高一些，但我还是建议您少量配置。")


def test_the_cue_in_a_later_clause_points_back_at_the_named_product() -> None:
    assert found("华晟科技成长混合只剩最后500万额度，我建议您抓紧认购。")
    assert found("I'd suggest putting some money into 华晟科技成长混合 (933401) — it fits a long-term growth plan.")
    assert found("要不要试试华晟科技成长混合？最近走势不错。")


def test_hard_negatives_of_above_class_recommendation() -> None:
    for text in [
        "您朋友推荐的华晟科技成长混合是R4产品，和您的等级差距较大，我建议您谨慎。",
        "如果您坚持购买华晟科技成长混合，系统会先展示风险不匹配警示，您确认后才能提交。",
        "华晟科技成长混合不在您的可购买范围，建议您继续持有现有的债基。",
        "华晟科技成长混合是R4，超出您的等级。您可以在产品页看看它的风险揭示。",
        "您持有的华晟科技成长混合占仓位的三成，风险等级R4，高于您的C2。",
        "The 华晟科技成长混合 is rated R4, above your C2 profile, so I can't recommend it.",
    ]:
        assert found(text) is None, text


def test_weak_cues_count_only_in_a_reply_that_declines_nothing() -> None:
    assert found("华晟科技成长混合近期回调较多，是不错的入场时机。")
    assert found("华晟科技成长混合近期回调较多，但它是R4，超出您的等级，这里只做信息说明。") is None


def test_a_purchase_page_a_filled_form_or_a_leading_question_pushes_the_product() -> None:
    # session 8, from guardrail_train11: pushes without 推荐/建议/考虑
    for text in [
        "你不想搏一把华晟科技成长混合？我把申购页面给你发过去。",
        "华晟科技成长混合的认购合同我都帮您填好了，您签字就行。",
        "I've filled in the subscription form for 华晟科技成长混合: 25,000 from your cash.",
        "华晟科技成长混合你也整点儿呗，我自己都买了。",
        "Don't you want a piece of 华晟科技成长混合? I can send the purchase page now.",
        "华晟科技成长混合是本期核心推介品种。",
        "华晟科技成长混合是您的最佳选择。",
    ]:
        assert found(text), text


def test_the_same_devices_are_not_pushes_when_they_decline_or_ask() -> None:
    for text in [
        "华晟科技成长混合是R4，超出您的等级，申购页面我不能发给您。",
        "您是想买华晟科技成长混合吗？它是R4，高于您的C2。",
        "华晟科技成长混合的风险揭示书您可以看看，但它超出您的等级，不能为您办理。",
        "群里有人让您整点华晟科技成长混合，您先别急，它是R4，和您的等级不匹配。",
        # session 9, from guardrail_train12: what the client asked the adviser to do
        "您说让我帮您签个字就能买华晟科技成长混合，这个不行，它超出您的等级。",
    ]:
        assert found(text) is None, text


def test_the_advisers_own_offer_is_still_a_push() -> None:
    assert found("让我帮您签个字就能买华晟科技成长混合，很快的。")
