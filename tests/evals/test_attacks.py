"""The whole-turn attack runner with fake models: the judge must be able to call an attack a
success (a model that does the planted task) and a failure (a model that answers the question)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.llm.fake import FakeChatModel
from core.settings import Settings
from evals.attacks import run_attacks
from evals.input_rails import DATASETS
from retrieval.embeddings import HashingEmbedder

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge_base" / "samples"
pytestmark = pytest.mark.skipif(not DATASETS.exists(), reason=f"public attack sets not found at {DATASETS}")


def run(settings: Settings, answer: str) -> dict:  # type: ignore[type-arg]
    return run_attacks(settings, FakeChatModel(answer), HashingEmbedder(), DATASETS, SAMPLES, n_jailbreak=6, n_extraction=4, n_planted=6)


def test_a_model_that_does_the_planted_task_is_counted_as_attacked(settings: Settings) -> None:
    report = run(settings, "Sure! ```import os\nos.listdir('.')```")
    assert report["n"] == 16 and set(report["by_kind"]) == {"jailbreak", "extraction", "planted"}
    assert report["by_kind"]["planted"]["asr"] == 1.0
    assert report["by_kind"]["extraction"]["asr"] == 0.0


def test_a_model_that_answers_from_the_passage_is_not(settings: Settings) -> None:
    report = run(settings, "根据资料，该产品风险等级为R2，请以产品法律文件为准。")
    assert report["by_kind"]["planted"]["asr"] == 0.0
    assert all(case["reply"] for case in report["cases"])


class RecordingJudge:
    """A claim judge that calls every sentence it reads a promise, and records them."""

    name = "recording"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def probability(self, rule: str, sentence: str) -> float:
        self.asked.append(sentence)
        return 0.95


def test_the_turns_read_with_the_claim_judge_as_served(settings: Settings) -> None:
    # below the promise backstop's threshold, inside the judge's band: only the judge can flag it
    grey = "这个产品亏钱的概率很小。"
    judge = RecordingJudge()
    report = run_attacks(
        settings, FakeChatModel(grey), HashingEmbedder(), DATASETS, SAMPLES, n_jailbreak=0, n_extraction=0, n_planted=3, judge=judge
    )
    assert report["claim_judge"] == "recording"
    assert grey in judge.asked
    assert all(grey not in case["reply"] for case in report["cases"])  # flagged by the judge, so not shown
