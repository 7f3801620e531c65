"""The embedded backend: a GGUF model run in process by llama-cpp-python."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.errors import ModelTimeout, ModelUnavailable
from agent.llm.protocol import ChatMessage, GenerationParams


class LocalChatModel:
    """One llama.cpp model per process; calls are serialised because a context is not shared.

    Prompts are ordered stable-first so that llama.cpp's prefix cache serves the system prompt
    and the client's profile from one request to the next.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        name: str,
        n_ctx: int = 4096,
        n_threads: int = 1,
        n_threads_batch: int = 2,
        seed: int = 42,
    ) -> None:
        from llama_cpp import Llama  # heavy import, only when the local backend is used

        self._name = name
        self._lock = threading.Lock()
        self._llm = Llama(
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads_batch,
            seed=seed,
            verbose=False,
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def weights(self) -> Any:
        """The loaded model (``llama_cpp._internals.LlamaModel``), for another context over the
        same weights (the claim judge) instead of a second copy of them."""
        return self._llm._model

    def warm_up(self, system_prefix: str) -> None:
        """Evaluate the prompt's fixed opening once, so the first client's request finds it in
        llama.cpp's prefix cache instead of paying for it."""
        params = GenerationParams(max_tokens=1, timeout_s=600)
        for _ in self.stream([ChatMessage(role="system", content=system_prefix)], params):
            pass

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        deadline = time.monotonic() + params.timeout_s
        payload: list[Any] = [m.model_dump() for m in messages]
        extra: dict[str, Any] = {}
        if params.json_mode:
            extra["response_format"] = {"type": "json_object"}
        with self._lock:
            try:
                chunks = self._llm.create_chat_completion(
                    messages=payload,
                    max_tokens=params.max_tokens,
                    temperature=params.temperature,
                    seed=params.seed,
                    stop=params.stop,
                    stream=True,
                    **extra,
                )
            except ValueError as exc:  # llama.cpp reports context overflow this way
                raise ModelUnavailable(f"local model rejected the request: {exc}") from exc
            for chunk in chunks:
                delta = chunk["choices"][0].get("delta", {}).get("content")  # type: ignore[index, union-attr]
                if delta:
                    yield str(delta)
                if time.monotonic() > deadline:
                    raise ModelTimeout(f"local model exceeded {params.timeout_s:.0f}s")
