"""Errors raised by the turn pipeline and its model backends."""

from core.errors import InvalidInput, NotFound, RetryableError, SetupError, TerminalError


class ModelTimeout(RetryableError):
    """The chat model did not finish within its time budget."""

    public_message = "模型响应超时，请稍后再试"


class ModelUnavailable(RetryableError):
    """The chat model backend could not be reached or failed."""

    public_message = "模型服务暂时不可用，请稍后再试"


class ModelFileError(SetupError):
    """A local model file is missing, incomplete or fails its checksum."""


class MessageTooLong(InvalidInput):
    """The client's message is over its token budget."""


class EmptyMessage(InvalidInput):
    """The client's message is empty after trimming."""

    public_message = "消息不能为空"


class UnknownClient(NotFound):
    """No client with that id."""

    public_message = "未找到该客户"


class UnknownProduct(NotFound):
    """No product with that code."""

    public_message = "未找到该产品"


__all__ = [
    "EmptyMessage",
    "MessageTooLong",
    "ModelFileError",
    "ModelTimeout",
    "ModelUnavailable",
    "TerminalError",
    "UnknownClient",
    "UnknownProduct",
]
