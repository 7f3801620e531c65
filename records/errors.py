"""Errors raised by the records layer."""

from core.errors import NotFound, RetryableError, SetupError


class DatabaseUnavailable(RetryableError):
    """The database could not be reached or is locked."""

    public_message = "数据库暂时不可用，请稍后再试"


class SampleDataError(SetupError):
    """The sample data files are missing or inconsistent."""


class RecordNotFound(NotFound):
    """A client, lead or other record named by id does not exist."""

    public_message = "未找到对应的记录"


class PiiKeyFileError(SetupError):
    """The personal-data key is missing, or its development key file is unsafe."""

    public_message = "个人信息加密密钥未配置或不安全"
