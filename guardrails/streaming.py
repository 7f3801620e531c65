"""Sentence-by-sentence release of a streamed reply: a sentence is shown only after it passed.

The model's tokens are buffered until a sentence ends (。！？!? or a line break); the sentence is
then checked and either released (as is or rewritten, e.g. masked), dropped (an unsupported
figure), or it stops the stream (a blocking rule: a banned claim, an above-class
recommendation, a leaked prompt). After a stop nothing more of the draft is released; the turn
adds its safe answer. Pure logic: the caller supplies the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from guardrails.models import RuleHit

TERMINATORS = "。！？!?\n"
# A closing quote or bracket right after a terminator belongs to the same sentence.
TRAILERS = "”’」』）)\"'"
Outcome = Literal["release", "drop", "stop"]


@dataclass
class SentenceDecision:
    outcome: Outcome
    text: str = ""
    hits: list[RuleHit] = field(default_factory=list)


SentenceCheck = Callable[[str, str], SentenceDecision]
"""(sentence, text released so far) -> decision."""


def split_complete(buffer: str) -> tuple[list[str], str]:
    """The complete sentences at the start of ``buffer`` and the unfinished rest."""
    sentences: list[str] = []
    start = 0
    i = 0
    while i < len(buffer):
        if buffer[i] in TERMINATORS:
            end = i + 1
            while end < len(buffer) and buffer[end] in TRAILERS:
                end += 1
            if end == len(buffer) and buffer[i] != "\n":
                break  # a trailer may still follow; wait for the next piece
            sentences.append(buffer[start:end])
            start = i = end
            continue
        i += 1
    return sentences, buffer[start:]


def complete_part(text: str) -> str:
    """``text`` up to the end of its last complete sentence: what is left of a stream cut after a
    stop, without the unfinished piece that no check has seen (it may hold half an identifier)."""
    end = max(text.rfind(t) for t in TERMINATORS) + 1
    while 0 < end < len(text) and text[end] in TRAILERS:
        end += 1
    return text[:end]


@dataclass
class SentenceGate:
    """Feed model pieces in; get back the text that may be shown."""

    check: SentenceCheck
    released: list[str] = field(default_factory=list)
    hits: list[RuleHit] = field(default_factory=list)
    stopped: bool = False
    _buffer: str = ""

    @property
    def text(self) -> str:
        return "".join(self.released)

    def _decide(self, sentence: str) -> str:
        if self.stopped or not sentence.strip():
            return ""
        decision = self.check(sentence, self.text)
        self.hits += decision.hits
        if decision.outcome == "stop":
            self.stopped = True
            return ""
        if decision.outcome == "drop":
            return ""
        self.released.append(decision.text)
        return decision.text

    def feed(self, piece: str) -> list[str]:
        """Released sentences completed by ``piece`` (possibly none)."""
        if self.stopped:
            return []
        sentences, self._buffer = split_complete(self._buffer + piece)
        return [out for s in sentences if (out := self._decide(s))]

    def close(self) -> list[str]:
        """The last, unterminated sentence, if it passes."""
        rest, self._buffer = self._buffer, ""
        out = self._decide(rest)
        return [out] if out else []
