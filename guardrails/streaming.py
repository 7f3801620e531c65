"""Sentence-by-sentence release of a streamed reply: a sentence is shown only after it passed.

The model's tokens are buffered until a sentence ends (。！？!? or a line break); the sentence is
then checked and either released (as is or rewritten, e.g. masked), dropped (an unsupported
figure), or it stops the stream (a blocking rule: a banned claim, an above-class
recommendation, a leaked prompt). After a stop nothing more of the draft is released; the turn
adds its safe answer. Pure logic: the caller supplies the check.

A rule that reads more than one sentence (the above-class backstop reads a sentence naming an
above-class product with the sentences after it that name no product) is given as a
:class:`Holdback`: a sentence that opens such a window is held back, and so is every sentence
after it, until a sentence opens another window (naming any product) or the draft ends; the
window is then settled as a whole, on the draft's own sentences (a dropped sentence included, a
rewritten one as drafted, as the whole-reply check reads them), and its passed sentences are
released together or the stream stops. A reply that never opens a window streams sentence by
sentence as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

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


class Holdback(Protocol):
    """A rule over a window of sentences (see the module's docstring)."""

    def opens(self, sentence: str) -> bool:
        """Whether ``sentence`` ends the window being held and opens a new one (it names a product)."""
        ...

    def holds(self, sentence: str) -> bool:
        """Whether a window ``sentence`` opens must be held back and settled (an above-class product)."""
        ...

    def settle(self, window: str) -> list[RuleHit]:
        """The blocking hits of a complete window (none: release it)."""
        ...


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
    holdback: Holdback | None = None
    released: list[str] = field(default_factory=list)
    hits: list[RuleHit] = field(default_factory=list)
    stopped: bool = False
    _buffer: str = ""
    _held: list[str] = field(default_factory=list)
    """The held window's passed sentences, as they will be shown."""
    _window: list[str] = field(default_factory=list)
    """The held window's sentences as drafted (dropped ones included): what is settled. A window
    is held exactly while this is not empty."""

    @property
    def text(self) -> str:
        return "".join(self.released)

    def _release(self, parts: list[str]) -> list[str]:
        self.released += parts
        return parts

    def _settle(self) -> list[str]:
        """The held window released, or the stream stopped when the holdback blocks it."""
        window, held = self._window, self._held
        self._window, self._held = [], []
        if not window or self.holdback is None:
            return []  # nothing held (and nothing is without a holdback)
        blocking = self.holdback.settle("".join(window))
        if blocking:
            self.hits += blocking
            self.stopped = True
            return []
        return self._release(held)

    def _decide(self, sentence: str) -> list[str]:
        if self.stopped or not sentence.strip():
            return []
        decision = self.check(sentence, self.text)
        self.hits += decision.hits
        if decision.outcome == "stop":
            self.stopped = True
            self._window, self._held = [], []
            return []
        out: list[str] = []
        # Window membership is decided on the drafted sentence, dropped or not, as the whole-reply
        # check sees it.
        opens = self.holdback is not None and self.holdback.opens(sentence)
        if opens:
            out = self._settle()
            if self.stopped:
                return []
        if self._window or (opens and self.holdback is not None and self.holdback.holds(sentence)):
            self._window.append(sentence)
            if decision.outcome != "drop":
                self._held.append(decision.text)
            return out
        if decision.outcome == "drop":
            return out
        return out + self._release([decision.text])

    def feed(self, piece: str) -> list[str]:
        """Released sentences completed by ``piece`` (possibly none)."""
        if self.stopped:
            return []
        sentences, self._buffer = split_complete(self._buffer + piece)
        return [out for s in sentences for out in self._decide(s)]

    def close(self) -> list[str]:
        """The last, unterminated sentence if it passes, and the held window if it does."""
        rest, self._buffer = self._buffer, ""
        out = self._decide(rest)
        if self.stopped:
            return []
        return out + self._settle()

    def abort(self) -> list[str]:
        """The draft broke off (the model failed): the held window settled as it stands, the
        unfinished piece after it discarded unchecked."""
        self._buffer = ""
        if self.stopped:
            return []
        return self._settle()
