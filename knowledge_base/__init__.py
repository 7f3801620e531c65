"""The corpus and its ingestion into the retrieval index."""
