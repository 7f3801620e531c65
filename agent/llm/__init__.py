"""The chat model boundary: one protocol, a local and a remote backend, and a fake for tests."""

from agent.llm.protocol import ChatMessage, ChatModel, GenerationParams

__all__ = ["ChatMessage", "ChatModel", "GenerationParams"]
