"""Rule privacy.other_client: another client's id, account or full name in a reply blocks it;
forms of address, catalog names and common words never do."""

from __future__ import annotations

import time

import pytest

from guardrails.other_client import ClientIdentity, ClientRoster, OtherClients, account_key, identifying_name, load_name_rules
from guardrails.output_rails import ReplyContext, check_reply, decide
from guardrails.policy import load_policy

POLICY = load_policy()
RULES = load_name_rules()
ROSTER = ClientRoster(
    clients=[
        ClientIdentity(client_id="client-002", names=["王先生"], account_numbers=["A0****4662", "98******9458"]),
        ClientIdentity(client_id="client-003", names=["李女士"], account_numbers=["A0****1993", "98******4187"]),
        ClientIdentity(client_id="client-101", names=["欧阳秀英女士"], account_numbers=["A123456789"]),
        ClientIdentity(client_id="client-102", names=["李娜"]),
        ClientIdentity(client_id="client-103", names=["周晓岚"]),  # also a fund manager in the catalog
        ClientIdentity(client_id="client-104", names=["高明"]),  # also a common word
        ClientIdentity(client_id="client-105", names=["欧阳先生", "老王"]),
        ClientIdentity(client_id="client-106", names=["李娜"]),
    ],
    ignored_names=["瑞和天天利货币A", "周晓岚", "瑞和基金管理有限公司"],
)


def kinds(text: str, client_id: str = "client-002") -> list[str]:
    return list(OtherClients(roster=ROSTER, client_id=client_id).find(text))


@pytest.mark.parametrize(
    ("display", "name"),
    [("李秀英女士", "李秀英"), ("李秀英", "李秀英"), ("李娜", "李娜"), ("欧阳秀英女士", "欧阳秀英"), ("Zhang Wei", "Zhang Wei")],
)
def test_a_full_name_identifies(display: str, name: str) -> None:
    assert identifying_name(display, RULES) == name


@pytest.mark.parametrize("display", ["李女士", "王先生", "老王", "小李", "欧阳先生", "李", "王总", "Li"])
def test_a_form_of_address_does_not_identify(display: str) -> None:
    assert identifying_name(display, RULES) is None


def test_another_clients_id_fires() -> None:
    assert kinds("根据client-003的持仓记录，她持有货币基金。") == ["client_id"]


def test_an_id_inside_a_longer_token_does_not_fire() -> None:
    assert kinds("编号client-0031与client-0032不是客户号。") == []


@pytest.mark.parametrize("written", ["A0****1993", "A0**1993", "A0＊＊＊＊1993", "98******4187", "A123456789", "a1****6789"])
def test_another_clients_account_fires_masked_or_full(written: str) -> None:
    assert kinds(f"账户{written}的余额为一万元。") == ["account_number"]


def test_a_full_number_of_another_length_is_not_the_account() -> None:
    assert kinds("流水号A1234000006789已受理。") == []


def test_the_current_clients_own_identifiers_do_not_fire() -> None:
    assert kinds("王先生，您的证券账户A0****4662正常，client-002。", client_id="client-002") == []


def test_a_full_name_fires_and_a_form_of_address_does_not() -> None:
    assert kinds("欧阳秀英的持仓以债券为主。") == ["name"]
    assert kinds("李女士您好，欧阳先生和老王都在关注货币基金。") == []


def test_a_name_shared_with_the_current_client_does_not_fire() -> None:
    assert kinds("李娜您好。", client_id="client-102") == []
    assert kinds("李娜您好。", client_id="client-002") == ["name"]


def test_a_catalog_or_common_word_name_does_not_fire() -> None:
    assert kinds("该基金由周晓岚管理，这个思路很高明。") == []


def test_account_keys_ignore_short_or_masked_edges() -> None:
    assert account_key("000901") is None
    assert account_key("A0****1993") == ("A0", "1993")
    assert account_key("A0**19**") is None


def test_the_rule_blocks_through_the_output_rails() -> None:
    ctx = ReplyContext(other_clients=OtherClients(roster=ROSTER, client_id="client-002"))
    hits = check_reply("李女士的资金账户A0****1993里有三万元。", ctx, POLICY)
    verdict = decide(hits, POLICY)
    assert verdict.action == "block" and verdict.rule_ids == ["privacy.other_client"]
    hit = verdict.rules[0]
    assert "A0****1993" not in hit.model_dump_json() and hit.span is None
    assert hit.detail == "回复含其他客户的账户号"


def test_masking_replaces_only_other_clients_identifiers_and_keeps_nothing_of_them() -> None:
    others = OtherClients(roster=ROSTER, client_id="client-002")
    text = "王先生（client-002，A0****4662）您好：欧阳秀英女士的账户A123456789、client-003的A0**1993与李娜都不能提。"
    assert others.mask(text) == (
        "王先生（client-002，A0****4662）您好：〔其他客户的姓名〕女士的账户〔其他客户的账户号〕、"
        "〔其他客户的客户号〕的〔其他客户的账户号〕与〔其他客户的姓名〕都不能提。"
    )
    assert others.find(others.mask(text)) == []


def test_masking_a_text_without_identifiers_changes_nothing() -> None:
    text = "李女士您好，该基金由周晓岚管理，编号client-0031不是客户号。"
    assert OtherClients(roster=ROSTER, client_id="client-002").mask(text) == text


def test_no_roster_means_no_check() -> None:
    assert check_reply("client-003", ReplyContext(), POLICY) == []


def test_a_large_roster_is_scanned_without_a_pass_over_every_client() -> None:
    clients = [
        ClientIdentity(
            client_id=f"c-{i:06d}", names=[f"客{chr(0x4E00 + i % 20000)}{chr(0x4E00 + i // 20000)}"], account_numbers=[f"A{i:09d}"]
        )
        for i in range(50_000)
    ]
    roster = ClientRoster(clients=clients)
    reply = "您好，根据您的持仓，货币基金的流动性较好，适合存放短期备用资金。" * 10
    started = time.perf_counter()
    for _ in range(20):
        assert roster.others_in(reply, "c-000001") == []
    assert (time.perf_counter() - started) / 20 < 0.02
    assert roster.others_in("账户A000012345", "c-000001") == ["account_number"]
