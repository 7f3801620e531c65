from retrieval.answerability import is_answerable, unknown_terms

CORPUS = "瑞和价值成长混合a 016801 管理费率1.20% 贵州茅台 目标价 货币基金 风险等级".lower()


def test_an_unknown_code_means_no_answer_whatever_the_similarity() -> None:
    assert is_answerable("161725这只基金风险等级是多少", 0.99, CORPUS, 0.88) == (False, ["161725"])


def test_an_unknown_noun_with_a_weak_best_passage_means_no_answer() -> None:
    ok, terms = is_answerable("比特币能买吗", 0.80, CORPUS, 0.88)
    assert not ok and any(t in "比特币" for t in terms)


def test_a_strong_passage_keeps_a_question_with_an_unknown_word() -> None:
    assert is_answerable("比特币能买吗", 0.95, CORPUS, 0.88)[0]


def test_known_terms_are_answerable() -> None:
    assert unknown_terms("016801的管理费率是多少", CORPUS) == []
    assert is_answerable("贵州茅台目标价", 0.5, CORPUS, 0.88) == (True, [])
