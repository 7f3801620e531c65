"""The remote backend: any OpenAI-compatible endpoint (vLLM, SGLang, Ollama, DeepSeek, OpenAI)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import openai
from openai import Stream
from openai.types.chat import ChatCompletionChunk

from agent.errors import ModelTimeout, ModelUnavailable
from agent.llm.protocol import ChatMessage, GenerationParams


class OpenAIChatModel:
    """Streams chat completions from an OpenAI-compatible server through the ``openai`` client."""

    def __init__(self, *, base_url: str, api_key: str, model: str, timeout_s: float = 90.0) -> None:
        self._model = model
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=1)

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        extra: dict[str, Any] = {}
        if params.json_mode:
            extra["response_format"] = {"type": "json_object"}
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                messages=[m.model_dump() for m in messages],  # type: ignore[misc]
                max_tokens=params.max_tokens,
                temperature=params.temperature,
                seed=params.seed,
                stop=params.stop,
                stream=True,
                timeout=params.timeout_s,
                **extra,
            )
            for chunk in cast("Stream[ChatCompletionChunk]", response):
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APITimeoutError as exc:
            raise ModelTimeout(f"remote model timed out: {exc}") from exc
        except openai.OpenAIError as exc:
            raise ModelUnavailable(f"remote model failed: {exc}") from exc
