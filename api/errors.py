"""Map the advisor's exception tree to HTTP responses with a clear message and the request id."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.errors import EmptyMessage, MessageTooLong
from api.schemas import ErrorBody, ErrorResponse
from core.errors import AdvisorError, InvalidInput, NotFound, RetryableError, SetupError

log = logging.getLogger("advisor.api")

STATUS: list[tuple[type[AdvisorError], int]] = [
    (MessageTooLong, 413),
    (EmptyMessage, 422),
    (InvalidInput, 400),
    (NotFound, 404),
    (RetryableError, 503),
    (SetupError, 503),
]
# Codes and Chinese messages for statuses raised without a message of our own (Starlette's defaults).
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效"),
    401: ("unauthorized", "需要有效的访问令牌"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "未找到请求的资源"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("body_too_large", "请求体过大"),
    503: ("unavailable", "服务暂时不可用，请稍后再试"),
}
ENGLISH_DEFAULT = re.compile(r"^[\x20-\x7e]*$")


def error_code(exc: BaseException) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def error_response(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "-")
    body = ErrorResponse(error=ErrorBody(code=code, message=message, request_id=request_id))
    return JSONResponse(body.model_dump(), status_code=status, headers={"X-Request-ID": request_id, **(headers or {})})


def install(app: FastAPI) -> None:
    @app.exception_handler(AdvisorError)
    async def advisor_error(request: Request, exc: AdvisorError) -> JSONResponse:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
        log.info("request failed: %s (%s)", exc, type(exc).__name__)
        return error_response(request, status, error_code(exc), exc.public_message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or '请求体'}: {e['msg']}" for e in exc.errors())
        return error_response(request, 422, "invalid_request", f"请求格式不正确：{fields}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, default = HTTP_CODES.get(exc.status_code, ("http_error", "请求无法完成"))
        detail = str(exc.detail)
        message = default if ENGLISH_DEFAULT.match(detail) else detail  # Starlette's English phrases become Chinese
        return error_response(request, exc.status_code, code, message, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(request, 500, "internal_error", "服务内部错误，请稍后再试")
