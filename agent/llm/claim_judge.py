"""The claim judge backed by the embedded GGUF model (see ``guardrails.claim_judge``).

One short forward pass per sentence, no generation: the rule's prompt (``prompts/claim_judge*.md``,
a system text with worked examples, then the sentence) ends where the assistant's answer starts,
and the judge reads the next-token logits of "是" and "否". Their softmax over the two is the
probability that the sentence makes the rule's claim. Each prompt's system text is evaluated once
and kept in the KV cache of a context of its own, so each sentence costs only its own tokens.

The judge's contexts are llama.cpp contexts over one model: the chat model's when they are the same
file (llama.cpp repacks the weights in memory on load, so a second load of the file would cost a
second copy, about 1.8 GB for the 1.5B), else a model loaded for it. Calls are serialised by a
lock; the chat model's context is never touched, so a sentence can be judged while its reply is
still being generated.

Reading a prompt's examples costs 10-12 s at start-up on 2 cores. With a ``state_dir``, the
evaluated examples are saved once (llama.cpp's per-sequence state file, named by a digest of the
model, the llama.cpp version, the context's settings and the prompt's tokens) and loaded at the
next start instead; a file that does not load, or holds other tokens, is read afresh and rewritten.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import math
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from prompts import load_prompt

logger = logging.getLogger(__name__)

MAX_SENTENCE_CHARS = 400
CACHE_SIZE = 4096
N_CTX = 1024
"""A prompt's examples (~450-650 tokens) and a 400-character sentence fit; a sentence of rarer
characters is cut to the tokens that fit."""
N_BATCH = 512


def load_model(model_path: Path) -> Any:
    """A llama.cpp model (weights only, no context) for a judge that has no chat model to share."""
    from llama_cpp import _internals, llama_cpp
    from llama_cpp._logger import set_verbose

    set_verbose(False)  # as Llama(verbose=False) does: llama.cpp's load and free messages stay quiet
    return _internals.LlamaModel(path_model=str(model_path), params=llama_cpp.llama_model_default_params(), verbose=False)


class _Reader:
    """One prompt's context: its system text cached, a sentence evaluated after it."""

    def __init__(self, model: Any, prompt: str, n_threads: int, state_dir: Path | None = None, model_key: str = "") -> None:
        import llama_cpp as package
        from llama_cpp import _internals, llama_cpp

        self._llama_cpp = llama_cpp
        self._model = model
        params = llama_cpp.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch = N_CTX, N_BATCH, N_BATCH
        params.n_threads = params.n_threads_batch = n_threads
        # As Llama(flash_attn=False) sets it for the chat model: the probabilities the bands were
        # chosen and measured with (llama.cpp's default, auto, moves them by up to 0.02).
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        self._ctx = _internals.LlamaContext(model=model, params=params, verbose=False)
        self._batch = _internals.LlamaBatch(n_tokens=N_BATCH, embd=0, n_seq_max=1, verbose=False)
        system, question = load_prompt(prompt).text.split("\n---\n", 1)
        prefix = self._tokens(f"<|im_start|>system\n{system.strip()}<|im_end|>\n<|im_start|>user\n")
        before, after = question.strip().split("{sentence}", 1)
        self._before = self._tokens(before)
        self._after = self._tokens(after + "<|im_end|>\n<|im_start|>assistant\n")
        self._yes, self._no = self._tokens("是")[0], self._tokens("否")[0]
        self._n_prefix = len(prefix)
        self._room = N_CTX - self._n_prefix - len(self._before) - len(self._after)
        if self._room < MAX_SENTENCE_CHARS // 2:
            raise ValueError(f"prompt {prompt!r} leaves {self._room} tokens of {N_CTX} for the sentence")
        if state_dir is None:
            self._eval(prefix, 0)
            return
        digest = hashlib.sha256(f"{model_key}|{package.__version__}|{N_CTX}|{N_BATCH}|{prefix}".encode()).hexdigest()[:24]
        state = state_dir / f"{prompt}-{digest}.state"
        if not self._load(state, prefix):
            self._eval(prefix, 0)
            self._save(state, prefix)

    def _load(self, state: Path, prefix: list[int]) -> bool:
        """Whether ``state`` held exactly ``prefix``'s evaluation and is now in the cache."""
        if not state.is_file():
            return False
        capacity = len(prefix) + 1
        tokens = (self._llama_cpp.llama_token * capacity)()
        count = ctypes.c_size_t(0)
        read = self._llama_cpp.llama_state_seq_load_file(self._ctx.ctx, str(state).encode(), 0, tokens, capacity, ctypes.byref(count))
        if read and list(tokens[: count.value]) == prefix:
            return True
        logger.warning("claim judge state %s did not load; reading the prompt's examples afresh", state.name)
        self._ctx.kv_cache_seq_rm(-1, 0, -1)
        return False

    def _save(self, state: Path, prefix: list[int]) -> None:
        """Write the evaluated prefix to ``state`` (via a temporary file, so a reader never sees half)."""
        try:
            state.parent.mkdir(parents=True, exist_ok=True)
            partial = state.with_suffix(f".{os.getpid()}.tmp")
            tokens = (self._llama_cpp.llama_token * len(prefix))(*prefix)
            if self._llama_cpp.llama_state_seq_save_file(self._ctx.ctx, str(partial).encode(), 0, tokens, len(prefix)):
                os.replace(partial, state)
        except OSError as exc:  # a read-only data folder costs only the next start's time
            logger.warning("claim judge state %s not saved: %s", state.name, exc)

    def _tokens(self, text: str, special: bool = True) -> list[int]:
        return list(self._model.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def _eval(self, tokens: list[int], n_past: int) -> None:
        """Evaluate ``tokens`` after the first ``n_past`` cached ones (the rest of the cache dropped)."""
        self._ctx.kv_cache_seq_rm(-1, n_past, -1)
        for start in range(0, len(tokens), N_BATCH):
            piece = tokens[start : start + N_BATCH]
            self._batch.set_batch(batch=piece, n_past=n_past + start, logits_all=False)
            self._ctx.decode(self._batch)

    def probability(self, sentence: str) -> float:
        # Special-token text inside the sentence must stay text, so it is tokenised without them.
        body = self._tokens(sentence, special=False)[: self._room]
        self._eval([*self._before, *body, *self._after], self._n_prefix)
        logits = np.ctypeslib.as_array(self._llama_cpp.llama_get_logits_ith(self._ctx.ctx, -1), shape=(self._model.n_vocab(),))
        yes, no = float(logits[self._yes]), float(logits[self._no])
        return 1.0 / (1.0 + math.exp(no - yes))


class LlamaClaimJudge:
    """``probability`` from a Qwen2.5 instruct model (ChatML prompt format), one prompt per rule."""

    def __init__(
        self, model: Any, *, name: str, prompts: dict[str, str], n_threads: int = 2, state_dir: Path | None = None, model_key: str = ""
    ) -> None:
        """``model``: a ``llama_cpp._internals.LlamaModel``, the chat model's (``Llama._model``)
        or one from :func:`load_model`; ``prompts``: rule id to prompt name; ``state_dir``: where
        the evaluated examples are kept between starts (None: read at every start), for the model
        file ``model_key`` names (its sha256)."""
        self._name = name
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], float] = OrderedDict()  # the same sentence gets the same answer
        self._readers = {rule: _Reader(model, prompt, n_threads, state_dir, model_key) for rule, prompt in prompts.items()}

    @property
    def name(self) -> str:
        return self._name

    @property
    def rules(self) -> list[str]:
        return list(self._readers)

    def probability(self, rule: str, sentence: str) -> float:
        """P(是) against P(否) for ``sentence`` (cut to its first 400 characters) under ``rule``'s
        prompt; ``KeyError`` for a rule the judge has no prompt for."""
        reader = self._readers[rule]
        sentence = sentence[:MAX_SENTENCE_CHARS]
        key = (rule, sentence)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            probability = reader.probability(sentence)
            self._cache[key] = probability
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return probability
