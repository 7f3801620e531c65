"""Benchmark chat turns through the real server: start-up time, time to first token and total
time of the first turn and of a follow-up question of the same client (whose rules-and-profile
prompt prefix llama.cpp has cached), and the server's peak memory.

Each model runs in its own ``advisor serve`` process so that its peak memory is its own. The
baseline, measured in the same run, is the bare model answering the same question with no
retrieval, no client context and no guardrail (one llama.cpp call in the same process).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

QUESTION = "我想把一半的钱买这只基金，合适吗？"
BODY = {"message": QUESTION, "product_code": "016801"}
FOLLOW_UP = {"message": "那货币基金的风险大吗？"}
AUTH = {"Authorization": "Bearer dev-client-002"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], limit_s: float = 300) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError("server did not become healthy")


def _turn(base: str, body: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    res = httpx.post(f"{base}/api/chat", json=body, headers=AUTH, timeout=600)
    res.raise_for_status()
    data: dict[str, Any] = res.json()
    return {
        "total_s": round(time.perf_counter() - started, 2),
        "first_token_s": round(data["timings_ms"].get("first_token", 0) / 1000, 2),
        "generation_s": round(data["timings_ms"].get("generation", 0) / 1000, 2),
        "retrieval_ms": data["timings_ms"].get("retrieval"),
        "verdict": data["verdict"]["action"],
        "suitability": [s["outcome"] for s in data["suitability"]],
        "answer": data["answer"],
    }


def bench_server(model: str, data_dir: Path) -> dict[str, Any]:
    """Start a server on ``model`` and time the sample question twice."""
    port = _free_port()
    env = {**os.environ, "ADVISOR_LOCAL_MODEL": model, "ADVISOR_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        startup = _wait_healthy(base, proc)
        cold = _turn(base, BODY)
        follow_up = _turn(base, FOLLOW_UP)  # same client: the rules and profile prefix is cached
        peak = _peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"startup_s": round(startup, 1), "first_turn": cold, "follow_up_turn": follow_up, "peak_rss_mib": round(peak)}


def bench_bare_model(model: str, models_dir: Path) -> dict[str, Any]:
    """The baseline: the bare model on the question alone, in this process."""
    from agent.llm.local import LocalChatModel
    from agent.llm.model_files import MODELS, ensure_model
    from agent.llm.protocol import ChatMessage, GenerationParams

    spec = MODELS[model]
    llm = LocalChatModel(ensure_model(spec, models_dir), name=spec.name)
    started = time.perf_counter()
    first = None
    text = []
    for piece in llm.stream([ChatMessage(role="user", content=QUESTION)], GenerationParams(max_tokens=320)):
        if first is None:
            first = time.perf_counter() - started
        text.append(piece)
    return {"first_token_s": round(first or 0, 2), "total_s": round(time.perf_counter() - started, 2), "answer": "".join(text)}
