"""The claim judge backed by the embedded GGUF model (see ``guardrails.claim_judge``).

One short forward pass per sentence, no generation: the prompt (``prompts/claim_judge.md``, a
system text with worked examples, then the sentence) ends where the assistant's answer starts,
and the judge reads the next-token logits of "是" and "否". Their softmax over the two is the
probability of a promise. The system text is evaluated once and kept in the context's KV cache,
so each sentence costs only its own tokens. The model file is memory-mapped, so this second
context shares its weights with the chat model's; calls are serialised by a lock.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from prompts import load_prompt

PROMPT = "claim_judge"
MAX_SENTENCE_CHARS = 400
CACHE_SIZE = 4096


class LlamaClaimJudge:
    """``promise_probability`` from a Qwen2.5 instruct GGUF (ChatML prompt format)."""

    def __init__(self, model_path: Path, *, name: str, n_threads: int = 2, n_ctx: int = 2048, seed: int = 42) -> None:
        import llama_cpp

        self._llama_cpp = llama_cpp
        self._name = name
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, float] = OrderedDict()  # the same sentence gets the same answer
        self._llm = llama_cpp.Llama(
            model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, seed=seed, verbose=False
        )
        system, question = load_prompt(PROMPT).text.split("\n---\n", 1)
        self._prefix = self._tokens(f"<|im_start|>system\n{system.strip()}<|im_end|>\n<|im_start|>user\n")
        before, after = question.strip().split("{sentence}", 1)
        self._before = self._tokens(before)
        self._after = self._tokens(after + "<|im_end|>\n<|im_start|>assistant\n")
        self._yes, self._no = self._tokens("是")[0], self._tokens("否")[0]
        self._llm.n_tokens = 0
        self._llm.eval(self._prefix)

    @property
    def name(self) -> str:
        return self._name

    def _tokens(self, text: str) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def promise_probability(self, sentence: str) -> float:
        """P(是) against P(否) for ``sentence`` (cut to its first 400 characters)."""
        sentence = sentence[:MAX_SENTENCE_CHARS]
        # Special-token text inside the sentence must stay text, so it is tokenised without them.
        body = list(self._llm.tokenize(sentence.encode("utf-8"), add_bos=False, special=False))
        with self._lock:
            if sentence in self._cache:
                self._cache.move_to_end(sentence)
                return self._cache[sentence]
            self._llm.n_tokens = len(self._prefix)  # keep the cached system text, drop the last sentence
            self._llm.eval([*self._before, *body, *self._after])
            logits = np.ctypeslib.as_array(self._llama_cpp.llama_get_logits_ith(self._llm.ctx, -1), shape=(self._llm.n_vocab(),))
            yes, no = float(logits[self._yes]), float(logits[self._no])
            probability = 1.0 / (1.0 + math.exp(no - yes))
            self._cache[sentence] = probability
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return probability
