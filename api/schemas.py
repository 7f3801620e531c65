"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChatRequest(BaseModel):
    message: str = Field(max_length=20_000, description="the client's message, in Chinese or English")
    product_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{1,16}$", description="the product page the client asks from")
    conversation_id: str | None = Field(default=None, max_length=36)


class ErrorBody(BaseModel):
    code: str
    message: str
    request_id: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str
