"""The root of the advisor's exception tree.

Each package owns its errors (``agent.errors``, ``retrieval.errors``, ``records.errors``) and
derives them from :class:`AdvisorError`. Errors are split the way callers act on them:
:class:`RetryableError` may succeed if tried again (a model that timed out, a busy store),
:class:`TerminalError` will not (bad input, a missing file, an unknown client).
"""


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""

    #: A short message that is safe to show to the user (Chinese first).
    public_message: str = "请求无法完成"

    def __init__(self, message: str, *, public_message: str | None = None) -> None:
        super().__init__(message)
        if public_message is not None:
            self.public_message = public_message


class RetryableError(AdvisorError):
    """The same call may succeed later."""


class TerminalError(AdvisorError):
    """The same call will fail again; the input or the set-up must change."""


class InvalidInput(TerminalError):
    """The caller sent something the advisor will not process."""


class NotFound(TerminalError):
    """A named thing (client, product, document) does not exist."""


class SetupError(TerminalError):
    """A required local file (model, index, database) is missing or corrupt."""
