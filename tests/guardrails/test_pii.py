from guardrails.pii import find_pii, id_number_valid, luhn_valid, mask_pii

VALID_ID = "11010519491231002X"
VALID_CARD = "6222021234567890128"


def test_checksums() -> None:
    assert id_number_valid(VALID_ID)
    assert not id_number_valid("110105194912310021")
    assert luhn_valid(VALID_CARD)
    assert not luhn_valid("6222021234567890123")


def test_masks_identity_card_mobile_and_email() -> None:
    text = f"我的身份证{VALID_ID}，卡号{VALID_CARD}，手机+86 13812345678，邮箱 zhang@example.com"
    masked, findings = mask_pii(text)
    assert {f.kind for f in findings} == {"id_number", "bank_card", "mobile", "email"}
    for secret in (VALID_ID, VALID_CARD, "13812345678", "zhang@example.com"):
        assert secret not in masked
    assert "1101" in masked and "002X" in masked  # first and last digits stay for recognition


def test_numbers_failing_their_checksum_are_left_alone() -> None:
    assert find_pii("订单号110105194912310021") == []
    assert find_pii("流水号6222021234567890123") == []


def test_account_numbers_after_a_label() -> None:
    masked, findings = mask_pii("我的资金账号是 3100123456")
    assert [f.kind for f in findings] == ["account_number"] and "3100123456" not in masked
