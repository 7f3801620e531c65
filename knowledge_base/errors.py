"""Errors raised while reading and ingesting documents."""

from core.errors import InvalidInput


class DocumentError(InvalidInput):
    """A document could not be parsed; the message names the file and the reason."""
