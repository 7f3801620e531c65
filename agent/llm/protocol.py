"""The protocol every chat model backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol

from pydantic import BaseModel, Field


class ChatMessage(BaseModel):
    """One OpenAI-style chat message. ``content`` is never None (llama.cpp rejects it)."""

    role: Literal["system", "user", "assistant"]
    content: str


class GenerationParams(BaseModel):
    """Sampling settings; the advisor runs at temperature 0 with a fixed seed."""

    max_tokens: int = Field(default=320, ge=1, le=4096)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int = 42
    timeout_s: float = Field(default=90.0, gt=0)
    json_mode: bool = False
    stop: list[str] = Field(
        default_factory=lambda: ["【"], description="a small model that starts echoing the prompt's sections is cut off"
    )


class ChatModel(Protocol):
    """A chat model that streams text deltas for a list of messages."""

    @property
    def name(self) -> str:
        """The model identifier recorded with every turn."""
        ...

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        """Yield the reply in pieces. Raises ``ModelTimeout`` past ``params.timeout_s``."""
        ...
