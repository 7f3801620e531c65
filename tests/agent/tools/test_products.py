import pytest

from agent.errors import UnknownProduct
from agent.tools.products import compare_products, lookup_product, search_products
from core.errors import InvalidInput, NotFound
from records.repository import ProductView
from tests.agent.tools.conftest import series


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("600519", "600519"),
        ("SH600519", "600519"),
        ("贵州茅台", "600519"),
        ("茅台", "600519"),
        ("宁德", "300750"),
        ("ＣＡＴＬ", "300750"),  # full-width letters
        ("瑞和价值成长混合A", "016801"),
        ("天天利", "000901"),
        ("茅台股票", "600519"),  # a name inside the mention
        ("矛台", "600519"),  # typo: one of two characters wrong
        ("宁得", "300750"),
        ("贵州矛台", "600519"),
        ("华盈半倒体", "017650"),
    ],
)
def test_lookup_finds_the_product(catalog: list[ProductView], query: str, code: str) -> None:
    found = lookup_product(query, catalog)
    assert found.status == "found" and found.product is not None and found.product.code == code


def test_a_typo_asks_for_confirmation_and_an_exact_name_does_not(catalog: list[ProductView]) -> None:
    assert "确认" in lookup_product("矛台", catalog).summary_text()
    assert "确认" not in lookup_product("茅台", catalog).summary_text()


def test_a_shared_prefix_is_ambiguous(catalog: list[ProductView]) -> None:
    found = lookup_product("瑞和", catalog)
    assert found.status == "ambiguous" and found.product is None
    assert len(found.candidates) >= 2 and all(c.name.startswith("瑞和") for c in found.candidates)


@pytest.mark.parametrize("query", ["中信证券", "基金", "茅", "999999"])
def test_unknown_mentions_raise_a_not_found_error(catalog: list[ProductView], query: str) -> None:
    with pytest.raises(UnknownProduct) as info:
        lookup_product(query, catalog)
    assert isinstance(info.value, NotFound) and "未找到" in info.value.public_message


def test_search_ranks_exact_before_fuzzy(catalog: list[ProductView]) -> None:
    hits = search_products("中芯", catalog)
    assert hits[0].code == "688981" and hits[0].score == 1.0


def test_comparison_uses_price_history_and_falls_back_to_product_facts(by_code: dict[str, ProductView]) -> None:
    # 016801: closes 1.0, 1.2, 0.9, 1.1 (x 5 to reach 20 points) -> max drawdown 1 - 0.9/1.2 = 25%
    prices = {"016801": series([1.0, 1.2, 0.9, 1.1] * 5)}
    table = compare_products([by_code["016801"], by_code["000901"]], prices)
    rows = {r.code: r for r in table.rows}
    assert rows["016801"].max_drawdown == pytest.approx(0.25) and rows["016801"].metrics_source.startswith("按近一年")
    assert rows["000901"].max_drawdown == 0.0 and rows["000901"].metrics_source == "取自产品资料"  # no history given
    assert rows["016801"].subscription_rate == 0.012 and rows["016801"].manager == "张明远"
    text = table.summary_text()
    assert "过往业绩不代表未来表现" in text and "风险等级最高的是瑞和价值成长混合A（R3）" in text


def test_comparison_needs_two_products(by_code: dict[str, ProductView]) -> None:
    with pytest.raises(InvalidInput):
        compare_products([by_code["016801"], by_code["016801"]], {})
