"""The remote backend against a real OpenAI-compatible server: llama-cpp-python's own server,
started on loopback with the 0.5B test model. Checks the boundary, not the wording."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from agent.errors import ModelUnavailable
from agent.llm.model_files import MODELS, ensure_model
from agent.llm.protocol import ChatMessage, GenerationParams
from agent.llm.remote import OpenAIChatModel
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    model = ensure_model(MODELS["qwen2.5-coder-0.5b"], REPO / "data" / "models")
    port = _free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "2048", "--model_alias", "qwen-test", "--verbose", "False"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/v1"
    # The server binds only after the model is loaded: wait for its start-up line, not a timer.
    assert proc.stderr is not None
    for line in proc.stderr:
        if b"Uvicorn running" in line or proc.poll() is not None:
            break
    assert proc.poll() is None, "llama_cpp.server exited"
    drain = threading.Thread(target=proc.stderr.read, daemon=True)  # its log must not fill the pipe
    drain.start()
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    drain.join(timeout=10)
    proc.stderr.close()


def test_remote_backend_streams_a_reply(server: str) -> None:
    model = OpenAIChatModel(base_url=server, api_key="test", model="qwen-test", timeout_s=120)
    messages = [ChatMessage(role="system", content="你是助手。"), ChatMessage(role="user", content="用一句话介绍货币基金。")]
    pieces = list(model.stream(messages, GenerationParams(max_tokens=40)))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert model.name == "openai:qwen-test"
    assert httpx.get(f"{server}/models", timeout=10).status_code == 200


def test_unreachable_endpoint_is_a_clear_error() -> None:
    model = OpenAIChatModel(base_url=f"http://127.0.0.1:{_free_port()}/v1", api_key="x", model="m", timeout_s=5)
    with pytest.raises(ModelUnavailable):
        list(model.stream([ChatMessage(role="user", content="你好")], GenerationParams(max_tokens=5)))
