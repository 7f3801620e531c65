"""The official ``openai`` client against the advisor on a real uvicorn server on loopback (fake model)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import openai
import pytest
import uvicorn

from agent.turn import AgentDeps
from api.app import create_app
from tests.api.conftest import QUESTION, TOKENS


@pytest.fixture
def base_url(deps: AgentDeps) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)  # connections queue here until the server accepts: no readiness polling
    server = uvicorn.Server(uvicorn.Config(create_app(deps=deps), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


def client(base_url: str, token: str = TOKENS["client"]) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=token, max_retries=0, timeout=60)


def test_models_and_a_completion(base_url: str) -> None:
    c = client(base_url)
    assert [m.id for m in c.models.list()] == ["robo-advisor"]
    completion = c.chat.completions.create(
        model="robo-advisor",
        messages=[
            {"role": "system", "content": "ignored"},
            {"role": "user", "content": "早先的问题"},
            {"role": "user", "content": QUESTION},
        ],
    )
    reply = completion.choices[0].message.content or ""
    extra = completion.model_extra["advisor"]  # type: ignore[index]
    assert extra["disclosure"]["ai_label"] in reply and extra["verdict"] in ("pass", "rewrite", "block", "escalate")
    assert {"sources", "risk_level", "rules", "turn_id", "conversation_id"} <= set(extra)
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    again = c.chat.completions.create(
        model="robo-advisor", messages=[{"role": "user", "content": "再说说"}], extra_body={"conversation_id": extra["conversation_id"]}
    )
    assert again.model_extra["advisor"]["conversation_id"] == extra["conversation_id"]  # type: ignore[index]


def test_streamed_completion(base_url: str) -> None:
    stream = client(base_url).chat.completions.create(model="robo-advisor", messages=[{"role": "user", "content": QUESTION}], stream=True)
    chunks = list(stream)
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    extra = last.model_extra["advisor"]  # type: ignore[index]
    assert text.endswith(extra["disclosure"]["ai_label"])  # the streamed text is the exact reply shown
    assert len([ch for ch in chunks if ch.choices[0].delta.content]) >= 3  # sentences, then the disclosure lines


def test_errors_reach_the_client_as_api_errors(base_url: str) -> None:
    with pytest.raises(openai.AuthenticationError):
        client(base_url, "wrong").models.list()
    with pytest.raises(openai.PermissionDeniedError):  # compliance reads the log but cannot chat as a client
        client(base_url, TOKENS["compliance"]).chat.completions.create(
            model="robo-advisor", messages=[{"role": "user", "content": QUESTION}]
        )
    with pytest.raises(openai.NotFoundError, match="robo-advisor"):
        client(base_url).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.UnprocessableEntityError):
        client(base_url).chat.completions.create(model="robo-advisor", messages=[{"role": "system", "content": "only a system message"}])
