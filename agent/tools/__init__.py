"""Deterministic tools the agent calls: the model phrases their results, it never computes them.

Each tool is a plain typed function over records views (no sessions, no clock): diagnosis of a
book, suitability of a product, product lookup and comparison, fees, goal calculators and
behaviour signals. Each returns a pydantic :class:`~agent.tools.models.ToolResult` that serialises
to JSON and renders a short Chinese ``summary_text()`` for the model's context. ``loader`` is the
one module that reads the records.
"""
