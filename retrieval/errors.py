"""Errors raised by retrieval."""

from core.errors import RetryableError, SetupError


class EmbedderSetupError(SetupError):
    """The embedding model is missing or could not be prepared."""


class StoreUnavailable(RetryableError):
    """The vector store could not be reached."""

    public_message = "知识库暂时不可用，请稍后再试"


class IndexMissing(SetupError):
    """The knowledge base has not been ingested yet."""

    public_message = "知识库尚未建立"
