"""A reply that carries another client's name, id or account is blocked through the turn: the
client gets the safe answer and nothing of the other client is shown, returned or logged, not even
in the raw draft kept for compliance (masked there, the rest of it kept)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from agent.llm.fake import FakeChatModel
from agent.models import TurnRequest
from agent.turn import run_turn
from records import repository as repo
from records import schema
from tests.agent.log_file import copies_in_file, stored_draft

QUESTION = "货币基金安全吗？"


def masked_account(deps, client_id: str) -> str:  # type: ignore[no-untyped-def]
    with deps.sessions() as s:
        return str(
            s.scalar(select(schema.Account.masked_no).where(schema.Account.client_id == client_id, schema.Account.kind == "securities"))
        )


def add_client(deps, client_id: str, name: str) -> None:  # type: ignore[no-untyped-def]
    with deps.sessions() as s, s.begin():
        s.add(
            schema.Client(
                id=client_id,
                display_name=name,
                investor_type="ordinary",
                risk_class="C3",
                risk_assessed_at=date(2026, 1, 5),
                risk_expires_at=date(2028, 1, 5),
                advisor_id="adv-002",
            )
        )


def ask(deps):  # type: ignore[no-untyped-def]
    return run_turn(deps, TurnRequest(client_id="client-002", message=QUESTION, product_code="000901", request_id="req-oc"))


def test_another_clients_account_and_name_in_the_draft_block_the_reply(make_deps) -> None:  # type: ignore[no-untyped-def]
    probe = make_deps(FakeChatModel())
    account = masked_account(probe, "client-003")
    add_client(probe, "client-900", "欧阳秀英女士")
    leaked = f"李女士的证券账户{account}也持有这只基金，欧阳秀英（client-900）上周刚买入。"
    deps = make_deps(FakeChatModel(f"瑞和天天利货币A是货币市场基金，风险较低。{leaked}"))

    result = ask(deps)

    assert result.verdict.action == "block" and "privacy.other_client" in result.verdict.rule_ids
    assert result.answer.startswith("瑞和天天利货币A是货币市场基金，风险较低。")  # released before the leak
    record = repo_turn(deps, result.turn_id)
    for secret in (account, "client-003", "client-900", "欧阳秀英"):
        assert secret not in result.reply and secret not in record.reply, secret
        assert secret not in result.verdict.model_dump_json() and secret not in str(record.rules), secret


def test_a_full_name_alone_blocks_and_a_form_of_address_does_not(make_deps) -> None:  # type: ignore[no-untyped-def]
    probe = make_deps(FakeChatModel())
    add_client(probe, "client-900", "欧阳秀英女士")
    blocked = ask(make_deps(FakeChatModel("瑞和天天利货币A风险较低。欧阳秀英也买了它。")))
    assert blocked.verdict.action == "block" and "欧阳秀英" not in blocked.reply
    passed = ask(make_deps(FakeChatModel("王先生您好，瑞和天天利货币A风险较低。李女士这类称呼不指向任何客户。")))
    assert "privacy.other_client" not in passed.verdict.rule_ids


def test_another_sample_clients_full_name_blocks_the_reply_and_leaves_no_copy(make_deps) -> None:  # type: ignore[no-untyped-def]
    probe = make_deps(FakeChatModel())
    before = copies_in_file(probe.settings, "李秀芬")  # client-003's full name, as the records hold it
    result = ask(make_deps(FakeChatModel("瑞和天天利货币A风险较低。李秀芬上周也买入了这只基金。")))
    assert result.verdict.action == "block" and "privacy.other_client" in result.verdict.rule_ids
    assert "李秀芬" not in result.reply and "李秀芬" not in result.verdict.model_dump_json()
    assert copies_in_file(probe.settings, "李秀芬") == before


def test_the_clients_own_full_name_and_another_clients_salutation_do_not_block(make_deps) -> None:  # type: ignore[no-untyped-def]
    own = ask(make_deps(FakeChatModel("王俊峰先生您好，瑞和天天利货币A是货币市场基金，风险较低。")))  # client-002's own name
    assert "privacy.other_client" not in own.verdict.rule_ids
    salutation = ask(make_deps(FakeChatModel("瑞和天天利货币A风险较低，李女士也常问到这类基金。")))  # client-003's salutation alone
    assert "privacy.other_client" not in salutation.verdict.rule_ids


def test_the_clients_own_account_is_not_another_clients(make_deps) -> None:  # type: ignore[no-untyped-def]
    probe = make_deps(FakeChatModel())
    own = masked_account(probe, "client-002")
    result = ask(make_deps(FakeChatModel(f"王先生，您的证券账户{own}持有瑞和天天利货币A，风险较低。")))
    assert "privacy.other_client" not in result.verdict.rule_ids


def test_the_logged_draft_masks_the_other_clients_identifiers_and_keeps_the_rest(make_deps) -> None:  # type: ignore[no-untyped-def]
    probe = make_deps(FakeChatModel())
    account = masked_account(probe, "client-003")
    add_client(probe, "client-900", "欧阳秀英女士")
    secrets = (account, "client-003", "client-900", "欧阳秀英")
    before = {secret: copies_in_file(probe.settings, secret) for secret in secrets}
    reply = f"瑞和天天利货币A风险较低。李女士的证券账户{account}也持有它，欧阳秀英（client-900）和client-003刚买入。client-003也是。"
    deps = make_deps(FakeChatModel(reply))

    result = ask(deps)

    assert "privacy.other_client" in result.verdict.rule_ids
    for secret in secrets:
        assert copies_in_file(deps.settings, secret) == before[secret], secret  # the turn wrote no copy anywhere
    # Masked, and cut after the blocked sentence: the unfinished piece streamed after it ("client-0")
    # was never checked.
    assert stored_draft(deps.settings, result.turn_id) == (
        "瑞和天天利货币A风险较低。李女士的证券账户〔其他客户的账户号〕也持有它，"
        "〔其他客户的姓名〕（〔其他客户的客户号〕）和〔其他客户的客户号〕刚买入。"
    )


def test_a_blocked_sentence_leaves_no_identifier_in_the_spans_of_its_other_rules(make_deps) -> None:  # type: ignore[no-untyped-def]
    probe = make_deps(FakeChatModel())
    add_client(probe, "client-900", "欧阳秀英女士")
    deps = make_deps(FakeChatModel("欧阳秀英已经买了，这只基金非常适合您，建议拿一半资金买入。"))

    result = run_turn(deps, TurnRequest(client_id="client-002", message="我想买这只基金，合适吗？", product_code="016801", request_id="r"))

    spans = [r.span for r in result.verdict.rules if r.span]
    assert {"privacy.other_client", "suitability.above_class"} <= set(result.verdict.rule_ids) and spans
    assert all("欧阳秀英" not in span for span in spans) and "欧阳秀英" not in str(repo_turn(deps, result.turn_id).rules)
    assert any("〔其他客户的姓名〕" in span for span in spans)


def repo_turn(deps, turn_id: str) -> repo.TurnRecord:  # type: ignore[no-untyped-def]
    with deps.sessions() as s:
        record = repo.get_turn(s, turn_id)
    assert record is not None
    return record
