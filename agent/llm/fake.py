"""A deterministic chat model for unit tests: it never loads weights or opens a socket."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from agent.errors import ModelTimeout
from agent.llm.protocol import ChatMessage, GenerationParams

Responder = Callable[[list[ChatMessage]], str]


class FakeChatModel:
    """Replies with a fixed text, or with what ``responder`` computes from the messages.

    ``calls`` keeps every message list it was given, so tests can check what the prompt held.
    """

    def __init__(self, reply: str | Responder = "好的。", *, timeout: bool = False) -> None:
        self._reply = reply
        self._timeout = timeout
        self.calls: list[list[ChatMessage]] = []

    @property
    def name(self) -> str:
        return "fake"

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        self.calls.append(list(messages))
        if self._timeout:
            raise ModelTimeout("fake model told to time out")
        text = self._reply(messages) if callable(self._reply) else self._reply
        # Yield in small pieces so that streaming consumers are exercised.
        for start in range(0, len(text), 8):
            yield text[start : start + 8]
