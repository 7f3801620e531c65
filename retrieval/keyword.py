"""BM25 over jieba tokens: the keyword half of hybrid search.

The scores are Okapi BM25 exactly as rank-bm25 computes them (k1=1.5, b=0.75, negative IDFs
floored at 0.25 x the mean IDF; a test checks the equality), but the index is a sparse
document-term matrix of precomputed term weights, so a query costs a sparse column sum instead of
a Python loop over every document: at 100k chunks that is milliseconds, not a second.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

import jieba
import numpy as np
from scipy.sparse import csc_matrix

from retrieval.models import Chunk

K1 = 1.5
B = 0.75
EPSILON = 0.25

_PUNCT = re.compile(r"^[\s\W_]+$", re.UNICODE)
_STOP = frozenset(
    [
        "的", "了", "是", "在", "和", "与", "及", "或", "吗", "呢", "吧", "啊", "我", "你",
        "您", "他", "她", "它", "这", "那", "就", "都", "也", "还", "把", "被", "对", "从",
        "为", "以", "之", "其", "中", "个", "只", "么", "什么", "怎么", "如何", "一下",
    ]
)  # fmt: skip

jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter goes to stderr otherwise


# A six-digit security or fund code. The one definition: the entity lane, the no-answer gate and
# the agent's product resolution and lookup import it.
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without punctuation and stop words; six-digit
    security and fund codes are always whole tokens (jieba splits "006282申购" unpredictably)."""
    tokens = CODE.findall(text)
    for token in jieba.cut_for_search(text.lower()):
        token = token.strip()
        if token and not _PUNCT.match(token) and token not in _STOP:
            tokens.append(token)
    return tokens


def bm25_weights(corpus: Sequence[Sequence[str]]) -> tuple[csc_matrix, dict[str, int]]:
    """The document-term matrix of BM25 term weights, and the vocabulary."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    tfs: list[int] = []
    for i, tokens in enumerate(corpus):
        for term, tf in Counter(tokens).items():
            rows.append(i)
            cols.append(vocab.setdefault(term, len(vocab)))
            tfs.append(tf)
    n_docs = len(corpus)
    lengths = np.array([len(t) for t in corpus], dtype=np.float64)
    avgdl = float(lengths.mean()) if n_docs else 0.0
    df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab)).astype(np.float64)
    idf = np.log((n_docs - df + 0.5) / (df + 0.5))
    idf[idf < 0] = EPSILON * float(idf.mean()) if len(idf) else 0.0
    freq = np.asarray(tfs, dtype=np.float64)
    row_idx = np.asarray(rows, dtype=np.int64)
    col_idx = np.asarray(cols, dtype=np.int64)
    norm = K1 * (1 - B + B * lengths[row_idx] / avgdl) if avgdl else np.full(len(freq), K1)
    weights = idf[col_idx] * freq * (K1 + 1) / (freq + norm)
    return csc_matrix((weights, (row_idx, col_idx)), shape=(n_docs, len(vocab))), vocab


class KeywordIndex:
    """An in-memory BM25 index over chunks, rebuilt when the corpus changes."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._chunks = list(chunks)
        # A chunk also answers to the codes of the products and securities its document covers.
        corpus = [tokenize(c.embedding_text()) + c.meta.products + c.meta.securities for c in self._chunks]
        self._matrix, self._vocab = bm25_weights(corpus)
        self._df = np.diff(self._matrix.indptr)  # chunks per term: the matrix is column-compressed
        self._text = "\n".join(c.embedding_text().lower() for c in self._chunks)
        self._covering: dict[str, list[int]] = {}
        for row, c in enumerate(self._chunks):
            for code in (*c.meta.products, *c.meta.securities):
                self._covering.setdefault(code, []).append(row)

    def __len__(self) -> int:
        return len(self._chunks)

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._vocab)

    def knows(self, term: str) -> bool:
        """Whether ``term`` (a lower-cased token) occurs in any chunk."""
        return term in self._vocab

    def idf(self, term: str) -> float:
        """Smoothed inverse chunk frequency of ``term``, scaled to (0, 1]: 1 for a term no chunk
        has, near 1/(1+log(n+1)) for a term in every chunk."""
        n = len(self._chunks)
        i = self._vocab.get(term)
        df = int(self._df[i]) if i is not None else 0
        return (math.log((n + 1) / (df + 1)) + 1) / (math.log(n + 1) + 1)

    @property
    def text(self) -> str:
        """Every chunk's text (with title and section), lower-cased: for "is this term known"."""
        return self._text

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every chunk for ``query`` (repeated query terms count again)."""
        counts = Counter(self._vocab[t] for t in tokenize(query) if t in self._vocab)
        if not counts:
            return np.zeros(len(self._chunks))
        columns = list(counts)
        result: np.ndarray = self._matrix[:, columns] @ np.array([counts[c] for c in columns], dtype=np.float64)
        return result

    def search_covering(self, query: str, codes: Sequence[str], k: int, scores: np.ndarray | None = None) -> list[tuple[Chunk, float]]:
        """The chunks whose documents cover any of ``codes`` (their products or securities, from
        the metadata), best BM25 first; a covering chunk without any query term still counts.
        ``scores``: this query's ``scores()`` when the caller has them already."""
        rows = sorted({row for code in codes for row in self._covering.get(code, [])})
        if not rows:
            return []
        scores = self.scores(query) if scores is None else scores
        order = sorted(rows, key=lambda i: (-scores[i], self._chunks[i].chunk_id))[:k]
        return [(self._chunks[i], float(scores[i])) for i in order]

    def search(self, query: str, k: int, allowed: set[str] | None = None, scores: np.ndarray | None = None) -> list[tuple[Chunk, float]]:
        """Top ``k`` chunks by BM25 (positive scores only); ``allowed`` limits them to those ids.
        ``scores``: this query's ``scores()`` when the caller has them already."""
        scores = self.scores(query) if scores is None else scores
        positive = np.flatnonzero(scores > 0)
        if allowed is not None:
            positive = np.array([i for i in positive if self._chunks[i].chunk_id in allowed], dtype=np.int64)
        if len(positive) == 0:
            return []
        if len(positive) > 4 * k:  # a partial sort first: at 100k chunks most of them match a common term
            positive = positive[np.argpartition(-scores[positive], 4 * k)[: 4 * k]]
        order = sorted(positive.tolist(), key=lambda i: (-scores[i], self._chunks[i].chunk_id))[:k]
        return [(self._chunks[i], float(scores[i])) for i in order]
