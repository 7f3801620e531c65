"""Intent by the chat model: the labels and their definitions in ``prompts/intent.md``.

The model is asked for the label alone, at temperature 0 with a fixed seed and a few tokens;
the reply is read for the first label it contains. The protocol offers no grammar, so an
answer without any label (or no answer in time) falls back to ``knowledge`` with confidence 0.
"""

from __future__ import annotations

import re

from agent.errors import ModelTimeout, ModelUnavailable
from agent.intent.labels import INTENTS, Intent, IntentPrediction
from agent.llm.protocol import ChatMessage, ChatModel, GenerationParams
from prompts import load_prompt

# Longest first, so that no label is read as a prefix of another.
_LABEL = re.compile("|".join(sorted(INTENTS, key=len, reverse=True)))
_ALIASES: dict[str, Intent] = {"knowledge_question": "knowledge"}


def parse_label(reply: str) -> Intent | None:
    """The first label named in the model's reply, or None."""
    text = reply.strip().lower()
    for alias, label in _ALIASES.items():
        if text.startswith(alias):
            return label
    found = _LABEL.search(text)
    return next((i for i in INTENTS if found and i == found.group(0)), None)


class ModelIntentClassifier:
    """Asks a chat model for the intent; the system prompt is fixed so llama.cpp caches it."""

    def __init__(self, model: ChatModel, *, seed: int = 42, max_tokens: int = 8, timeout_s: float = 60.0) -> None:
        self._model = model
        self._prompt = load_prompt("intent")
        self._params = GenerationParams(max_tokens=max_tokens, temperature=0.0, seed=seed, timeout_s=timeout_s, stop=["\n"])

    @property
    def prompt_version(self) -> str:
        return self._prompt.version

    def predict(self, text: str) -> IntentPrediction:
        messages = [ChatMessage(role="system", content=self._prompt.text), ChatMessage(role="user", content=f"消息：{text}")]
        try:
            reply = "".join(self._model.stream(messages, self._params))
        except (ModelTimeout, ModelUnavailable):
            reply = ""  # counted as no answer: the caller falls back like for an unreadable reply
        label = parse_label(reply)
        if label is None:
            return IntentPrediction(label="knowledge", confidence=0.0, source="model")
        return IntentPrediction(label=label, confidence=1.0, source="model")
