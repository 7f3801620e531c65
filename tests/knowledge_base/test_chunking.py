from knowledge_base.chunking import chunk_id, chunk_markdown, split_sentences

BODY = """# 瑞和价值成长混合A 产品概要

## 基金概况

基金代码016801，风险等级R3。

## 费用

| 持有期限 | 赎回费率 |
| --- | --- |
| 7天以内 | 1.50% |
| 7天至1年 | 0.50% |
| 1年以上 | 0 |

## 常见问题

### 问：持有多久赎回免费？

答：持有满1年后赎回不收取赎回费。
"""


def test_chunks_carry_their_heading_path() -> None:
    chunks = chunk_markdown(BODY)
    paths = [c.heading_path for c in chunks]
    assert ("瑞和价值成长混合A 产品概要", "基金概况") in paths
    assert ("瑞和价值成长混合A 产品概要", "常见问题", "问：持有多久赎回免费？") in paths


def test_a_table_stays_whole_and_alone() -> None:
    tables = [c for c in chunk_markdown(BODY) if c.text.startswith("|")]
    assert len(tables) == 1
    assert tables[0].text.count("\n") == 4 and "1.50%" in tables[0].text


def test_a_long_table_is_split_by_rows_with_the_header_repeated() -> None:
    rows = "\n".join(f"| 第{i}档 | {i}.00% |" for i in range(60))
    body = f"## 费率\n\n| 档位 | 费率 |\n| --- | --- |\n{rows}\n"
    pieces = chunk_markdown(body, max_chars=200)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.text.startswith("| 档位 | 费率 |\n| --- | --- |")
    assert sum(p.text.count("第") for p in pieces) == 60  # every row once


def test_the_answer_stays_with_its_question() -> None:
    qa = [c for c in chunk_markdown(BODY) if c.heading_path[-1].startswith("问：")]
    assert len(qa) == 1 and "答：持有满1年后" in qa[0].text


def test_long_prose_splits_at_sentence_ends_never_inside_a_number() -> None:
    sentence = "本基金近一年收益率为12.34%，最大回撤为8.76%。"
    pieces = chunk_markdown("## 业绩\n\n" + sentence * 40, max_chars=120)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.text.endswith("。")
        assert "12.34%" in piece.text and "8.76%" in piece.text


def test_split_sentences_on_chinese_marks() -> None:
    assert split_sentences("第一句。第二句！第三句？第四句；") == ["第一句。", "第二句！", "第三句？", "第四句；"]


def test_chunk_ids_are_stable_and_change_with_content() -> None:
    assert chunk_id("doc", 1, "文本") == chunk_id("doc", 1, "文本")
    assert chunk_id("doc", 1, "文本") != chunk_id("doc", 1, "文本。")
    assert chunk_id("doc", 1, "文本").startswith("doc#001-")
