"""The retention policy: a contact number is kept only for a call-back hand-off; identity and
bank card numbers never; every kind is decided."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from guardrails.pii import find_pii
from guardrails.pii_retention import RETENTION_FILE, RetentionPolicy, load_retention_policy, originals_to_keep, retention_note

POLICY = load_retention_policy()
ID_NUMBER = "11010519491231002X"
CARD = "6222020200112233446"
MESSAGE = f"请人工顾问回电13912345678或发邮件到wang.li@example.com，身份证{ID_NUMBER}，卡号{CARD}，证券账户A123456789"


def test_the_message_holds_every_kind() -> None:
    assert {f.kind for f in find_pii(MESSAGE)} == {"mobile", "email", "id_number", "bank_card", "account_number"}


def test_a_call_back_request_keeps_the_contact_details_only() -> None:
    kept = originals_to_keep(MESSAGE, ["human_requested"], POLICY)
    assert [(k.kind, k.purpose, k.value) for k in kept] == [
        ("mobile", "callback", "13912345678"),
        ("email", "callback", "wang.li@example.com"),
    ]


@pytest.mark.parametrize("reasons", [[], ["purchase_intent"], ["above_class_request"]])
def test_without_a_call_back_hand_off_nothing_is_kept(reasons: list[str]) -> None:
    assert originals_to_keep(MESSAGE, reasons, POLICY) == []


@pytest.mark.parametrize("reason", ["human_requested", "complaint", "distress"])
def test_identity_card_and_account_numbers_are_never_kept(reason: str) -> None:
    kinds = {k.kind for k in originals_to_keep(MESSAGE, [reason], POLICY)}
    assert kinds == {"mobile", "email"}
    assert {"id_number", "bank_card", "account_number"} <= set(POLICY.never_kept)


def test_the_same_number_twice_is_kept_once() -> None:
    assert len(originals_to_keep("回电13912345678，再说一遍13912345678", ["complaint"], POLICY)) == 1


def test_a_policy_that_keeps_a_never_kept_kind_or_forgets_a_kind_does_not_load() -> None:
    data = yaml.safe_load(RETENTION_FILE.read_text(encoding="utf-8"))
    data["purposes"]["callback"]["kinds"].append("id_number")
    with pytest.raises(ValidationError, match="both kept and never kept"):
        RetentionPolicy.model_validate(data)
    data = yaml.safe_load(RETENTION_FILE.read_text(encoding="utf-8"))
    del data["never_kept"]["bank_card"]
    with pytest.raises(ValidationError, match="does not decide"):
        RetentionPolicy.model_validate(data)


def test_the_note_names_the_purpose_in_chinese() -> None:
    assert retention_note(["callback", "callback"], POLICY) == "原文已加密留存（用途：回电联系）"
