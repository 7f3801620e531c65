"""Intent of a client message: ten labels, decided by rules, an embedding model or the chat model.

The turn builds one :class:`IntentClassifier` at start-up from the embedder and calls
``predict``; :func:`classify` is the rules-only shortcut it used before.
"""

from __future__ import annotations

import re

from agent.intent.classifier import Example, IntentClassifier, load_examples
from agent.intent.labels import EVAL_TO_INTENT, INTENT_TO_EVAL, INTENTS, Intent, IntentPrediction
from agent.intent.model import ModelIntentClassifier
from agent.intent.rules import normalize

__all__ = [
    "EVAL_TO_INTENT",
    "INTENTS",
    "INTENT_TO_EVAL",
    "Example",
    "Intent",
    "IntentClassifier",
    "IntentPrediction",
    "ModelIntentClassifier",
    "classify",
    "load_examples",
]

# The first rules' buy words: with a product named, "合适吗" alone is a suitability question.
_BUY_WITH_PRODUCT = re.compile(r"合适|适合|适不适合|能不能买|可以买|能买|值得买|该不该买|要不要买|买入|买这|买点|配置|推荐")


def classify(text: str, *, has_product: bool, classifier: IntentClassifier | None = None) -> Intent:
    """The intent the turn acts on: ``classifier`` (rules, then the embedding model) or, without
    one, the rules alone.

    Rules alone cannot tell "这只基金合适吗" from a knowledge question, so there a buy word beside
    a named product makes it a suitability question, as before; the embedding model is trusted.
    """
    prediction = (classifier or IntentClassifier()).predict(text)
    if prediction.source == "embedding" or (prediction.source == "rules" and prediction.rule not in ("own_holdings", "chitchat")):
        return prediction.label
    if has_product and _BUY_WITH_PRODUCT.search(normalize(text)):
        return "product_suitability"
    return prediction.label
