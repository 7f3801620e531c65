from datetime import date

import pytest

from guardrails.suitability import check_suitability

TODAY = date(2026, 11, 22)
VALID = date(2027, 1, 1)


def outcome(
    product_risk: str, client_class: str, *, investor_type: str = "ordinary", initiated_by: str = "client", expires: date = VALID
) -> str:
    return check_suitability(
        product_code="016801",
        product_name="瑞和价值成长混合A",
        product_risk=product_risk,
        client_class=client_class,
        investor_type=investor_type,
        assessment_expires=expires,
        today=TODAY,
        initiated_by=initiated_by,  # type: ignore[arg-type]
    ).outcome


@pytest.mark.parametrize("c", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("r", [1, 2, 3, 4, 5])
def test_matching_is_r_at_most_c(r: int, c: int) -> None:
    got = outcome(f"R{r}", f"C{c}")
    if r <= c:
        assert got == "suitable"
    elif c == 1:
        assert got == "blocked"  # the lowest class has no override at all
    else:
        assert got == "warn_and_confirm"


@pytest.mark.parametrize("r", [2, 3, 4, 5])
def test_advisor_never_recommends_above_class(r: int) -> None:
    assert outcome(f"R{r}", "C1", initiated_by="advisor") == "blocked"
    assert outcome("R5", "C4", initiated_by="advisor") == "blocked"


def test_professional_investor_matches_everything() -> None:
    assert outcome("R5", "C1", investor_type="professional") == "suitable"


def test_expired_assessment_asks_for_reassessment_first() -> None:
    assert outcome("R1", "C5", expires=date(2025, 5, 18)) == "reassess"


def test_reason_names_the_mismatch_in_chinese() -> None:
    result = check_suitability(
        product_code="016801",
        product_name="瑞和价值成长混合A",
        product_risk="R3",
        client_class="C2",
        investor_type="ordinary",
        assessment_expires=VALID,
        today=TODAY,
    )
    assert "不适合" in result.reason and "稳健型（C2）" in result.reason and "R3" in result.reason


def test_unknown_levels_are_rejected() -> None:
    with pytest.raises(ValueError):
        outcome("R6", "C2")
