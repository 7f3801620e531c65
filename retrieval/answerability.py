"""Does the knowledge base answer this question at all? When it does not, the agent says so
instead of answering from the model's memory.

Embedding similarity alone cannot tell (multilingual-e5 scores an unrelated finance question
about as high as a related one: 0.86-0.91 for both on the evaluation set), so the gate asks what
the question names: a six-digit code that appears in no document, or a Chinese noun the corpus
never uses ("比特币", "房贷", "美联储"), while the best passage is only moderately similar.
"""

from __future__ import annotations

import re

import jieba.posseg as pseg

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
HAN = re.compile(r"[\u4e00-\u9fff]")


def unknown_terms(question: str, corpus_text: str) -> list[str]:
    """Codes and Chinese nouns of ``question`` that occur nowhere in ``corpus_text`` (lower-cased)."""
    terms = [code for code in CODE.findall(question) if code not in corpus_text]
    for word, flag in pseg.cut(question):
        if len(word) >= 2 and flag.startswith("n") and HAN.search(word) and word.lower() not in corpus_text:
            terms.append(word)
    return terms


def is_answerable(question: str, top_similarity: float | None, corpus_text: str, min_similarity: float) -> tuple[bool, list[str]]:
    """False, with the terms that decided it, when the knowledge base holds no answer."""
    terms = unknown_terms(question, corpus_text)
    codes = [t for t in terms if CODE.fullmatch(t)]
    if codes:
        return False, codes
    if terms and (top_similarity is None or top_similarity < min_similarity):
        return False, terms
    return True, []
