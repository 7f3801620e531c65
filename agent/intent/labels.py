"""The intent labels, the prediction model and the mapping to the evaluation set's label names."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field

Intent = Literal[
    "knowledge",
    "own_holdings",
    "product_suitability",
    "trade_request",
    "fees",
    "account_service",
    "complaint_or_human",
    "distress",
    "chitchat",
    "out_of_scope",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)

Source = Literal["rules", "embedding", "model", "default"]

# The labelled set (evals/data/intent) names one label differently; the turn keeps "knowledge".
EVAL_TO_INTENT: dict[str, Intent] = {("knowledge_question" if i == "knowledge" else i): i for i in INTENTS}
INTENT_TO_EVAL: dict[Intent, str] = {v: k for k, v in EVAL_TO_INTENT.items()}


class IntentPrediction(BaseModel):
    """What a classifier decided about one message, and how sure it was."""

    label: Intent
    confidence: float = Field(ge=0.0, le=1.0, description="rules: a fixed strength; embedding: the class probability")
    source: Source
    rule: str | None = Field(default=None, description="the name of the rule that decided, when a rule did")
