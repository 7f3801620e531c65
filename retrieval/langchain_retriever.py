"""The project's hybrid retriever behind LangChain's retriever and embeddings interfaces, so it
plugs into LangChain pipelines (and LangChain's own stores can use the project's embedder)."""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from retrieval.embeddings import Embedder
from retrieval.models import Citation
from retrieval.search import Retriever, SearchFilter


class AdvisorRetriever(BaseRetriever):
    """``invoke(query)`` returns LangChain documents whose metadata is the citation of each hit."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    k: int = 5
    search_filter: SearchFilter = Field(default_factory=SearchFilter)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(query, self.k, self.search_filter)
        documents = []
        for hit in hits:
            metadata: dict[str, Any] = Citation.from_chunk(hit.chunk).model_dump(mode="json")
            metadata["score"] = hit.score
            metadata["similarity"] = hit.similarity
            documents.append(Document(page_content=hit.chunk.text, metadata=metadata, id=hit.chunk.chunk_id))
        return documents


class EmbedderAsLangChain(Embeddings):
    """The project's embedder (with e5's passage and query prefixes) as LangChain ``Embeddings``."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: np.ndarray = self._embedder.embed_passages(texts)
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._embedder.embed_query(text)]
