"""BM25 over jieba tokens: the keyword half of hybrid search."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import jieba
from rank_bm25 import BM25Okapi

from retrieval.models import Chunk

_PUNCT = re.compile(r"^[\s\W_]+$", re.UNICODE)
_STOP = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "吗",
        "呢",
        "吧",
        "啊",
        "我",
        "你",
        "您",
        "他",
        "她",
        "它",
        "这",
        "那",
        "就",
        "都",
        "也",
        "还",
        "把",
        "被",
        "对",
        "从",
        "为",
        "以",
        "之",
        "其",
        "中",
        "个",
        "只",
        "么",
        "什么",
        "怎么",
        "如何",
        "一下",
    ]
)


jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter goes to stderr otherwise


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without punctuation and stop words."""
    tokens = []
    for token in jieba.cut_for_search(text.lower()):
        token = token.strip()
        if token and not _PUNCT.match(token) and token not in _STOP:
            tokens.append(token)
    return tokens


class KeywordIndex:
    """An in-memory BM25 index over chunks, rebuilt when the corpus changes."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._chunks = list(chunks)
        corpus = [tokenize(c.embedding_text()) for c in self._chunks]
        self._bm25 = BM25Okapi(corpus) if corpus else None

    def __len__(self) -> int:
        return len(self._chunks)

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """Top ``k`` chunks by BM25; ``allowed`` limits the result to those chunk ids."""
        if self._bm25 is None:
            return []
        terms = tokenize(query)
        if not terms:
            return []
        scores = self._bm25.get_scores(terms)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], self._chunks[i].chunk_id))
        hits: list[tuple[Chunk, float]] = []
        for i in order:
            if scores[i] <= 0:
                break
            chunk = self._chunks[i]
            if allowed is None or chunk.chunk_id in allowed:
                hits.append((chunk, float(scores[i])))
                if len(hits) == k:
                    break
        return hits
