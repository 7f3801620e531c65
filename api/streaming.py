"""Run one turn in a worker thread and hand its released sentences and its result to an async consumer.

The turn itself is synchronous (the model streams in-process); ``run_turn`` calls ``on_text``
with each sentence that passed the rails, from the worker thread. If the consumer goes away
the turn still finishes and is logged: a reply the rails passed is never half-recorded.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from agent.models import TurnRequest, TurnResult
from agent.turn import AgentDeps, run_turn
from core.errors import AdvisorError

log = logging.getLogger("advisor.api.stream")


@dataclass(frozen=True)
class Released:
    """A sentence of the answer that passed the rails."""

    text: str


@dataclass(frozen=True)
class Finished:
    result: TurnResult


@dataclass(frozen=True)
class Failed:
    """The turn failed; ``error`` is None for an unexpected failure (logged, never shown)."""

    error: AdvisorError | None


TurnEvent = Released | Finished | Failed


async def stream_turn(deps: AgentDeps, request: TurnRequest) -> AsyncIterator[TurnEvent]:
    """Released sentences in order, then exactly one ``Finished`` or ``Failed``."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[TurnEvent] = asyncio.Queue()

    def put(event: TurnEvent) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, event)
        except RuntimeError:  # the event loop closed under a finishing turn: nobody is listening
            log.warning("stream consumer gone before the turn finished")

    def work() -> None:
        try:
            put(Finished(run_turn(deps, request, on_text=lambda text: put(Released(text)))))
        except AdvisorError as exc:
            put(Failed(exc))
        except Exception:  # the outermost boundary of a streamed turn: logged, reported as an error event
            log.exception("streamed turn failed")
            put(Failed(None))

    # copy the context so that log lines of the turn carry the request id
    worker = loop.run_in_executor(None, contextvars.copy_context().run, work)
    while True:
        event = await queue.get()
        yield event
        if not isinstance(event, Released):
            break
    await worker
