"""Search over the knowledge base: embeddings, the vector store, keyword search and citations."""
