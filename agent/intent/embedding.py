"""A small linear classifier over the e5 embedding and hashed character n-grams, in numpy.

Multinomial logistic regression with an L2 penalty and balanced label weights, fitted by
L-BFGS from a zero start: the same examples always give the same weights, and fitting a few
hundred examples takes about a second on an idle core. The character n-grams carry the
keywords a small multilingual embedder blurs (费, 投诉, 赎回); the embedding carries paraphrase.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from agent.intent.labels import INTENTS, Intent
from agent.intent.rules import normalize

NGRAM_DIM = 1024


def _bucket(gram: str) -> int:
    # md5, not hash(): Python's string hash is salted per process.
    return int.from_bytes(hashlib.md5(gram.encode("utf-8")).digest()[:4], "little") % NGRAM_DIM


def ngram_features(text: str) -> np.ndarray:
    """L2-normalised presence of the normalised text's character 1- and 2-grams."""
    chars = normalize(text)
    vec = np.zeros(NGRAM_DIM, dtype=np.float64)
    for n in (1, 2):
        for i in range(max(len(chars) - n + 1, 0)):
            vec[_bucket(chars[i : i + n])] = 1.0
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def features(texts: Sequence[str], vectors: np.ndarray, ngram_weight: float) -> np.ndarray:
    """The classifier's input: the embedding beside the weighted n-gram vector."""
    grams = np.stack([ngram_features(t) for t in texts]) if texts else np.zeros((0, NGRAM_DIM))
    return np.hstack([np.asarray(vectors, dtype=np.float64), ngram_weight * grams])


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


@dataclass(frozen=True)
class LinearIntentModel:
    """Weights (features x labels) and biases over :data:`INTENTS`, in that order."""

    weights: np.ndarray
    bias: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, labels: Sequence[Intent], *, l2: float = 1e-3, max_iter: int = 300) -> LinearIntentModel:
        n, d = x.shape
        k = len(INTENTS)
        y = np.zeros((n, k))
        y[np.arange(n), [INTENTS.index(label) for label in labels]] = 1.0
        # Each label weighs the same in the loss however many examples it has, so that a label
        # with more seed examples (out of scope is broad) does not gain a larger prior.
        counts = y.sum(axis=0)
        sample_weight = (y @ np.where(counts > 0, n / (k * np.maximum(counts, 1)), 0.0))[:, None]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[: d * k].reshape(d, k), theta[d * k :]
            p = _softmax(x @ w + b)
            value = -float(np.sum(sample_weight * y * np.log(p + 1e-12))) / n + 0.5 * l2 * float(np.sum(w * w))
            g = sample_weight * (p - y) / n
            grad = np.concatenate([(x.T @ g + l2 * w).ravel(), g.sum(axis=0)])
            return value, grad

        result = minimize(loss, np.zeros(d * k + k), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
        theta = result.x
        return cls(weights=theta[: d * k].reshape(d, k), bias=theta[d * k :])

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per input row, columns in :data:`INTENTS` order."""
        return _softmax(np.atleast_2d(x) @ self.weights + self.bias)
