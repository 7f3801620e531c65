"""Errors raised by the guardrails: the encrypted originals of personal data that cannot be read."""

from core.errors import SetupError


class PiiKeyError(SetupError):
    """An encrypted original cannot be read: its key is malformed, not configured or wrong.

    A set-up error (503): the entry is intact or it is not, but no retry with the same keys helps."""

    public_message = "加密留存的原文无法解密：密钥未配置或不匹配（已记录）"


class MalformedPiiKey(PiiKeyError):
    """A configured key is not a Fernet key (32 url-safe base64-encoded bytes)."""

    public_message = "个人信息加密密钥格式不正确"


class UnknownPiiKey(PiiKeyError):
    """The entry was encrypted with a key that is not among the configured ones."""


class PiiDecryptionFailed(PiiKeyError):
    """The configured key of that id does not open the entry: a wrong key or altered ciphertext."""


class PiiEntryMismatch(PiiDecryptionFailed):
    """The ciphertext opens but belongs to another entry (it was moved between rows)."""
