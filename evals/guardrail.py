"""Guardrail evaluation on the labelled sets in ``evals/data/guardrail``: per-rule precision,
recall and false-positive rate of the deterministic rails, and their latency per reply.

Replies are checked by the output rails with the client's class and the products the reply
names; client messages by the input rails that exist so far (personal data). A rule with labels
but no rail yet reports recall 0 rather than being left out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from evals.metrics import percentile
from guardrails.models import SuitabilityResult
from guardrails.output_rails import ReplyContext, check_reply
from guardrails.pii import find_pii
from guardrails.policy import Policy, load_policy
from guardrails.suitability import check_suitability

DATA = Path(__file__).parent / "data" / "guardrail"
CANARY = "CANARY-7f3a9c"
TODAY = date(2026, 11, 22)
VALID_UNTIL = date(2028, 1, 1)
CLASSES = {
    "suitability": ["suitability.above_class"],
    "guaranteed_return": ["claims.guaranteed_return"],
    "pii": ["privacy.pii", "pii.id_number", "pii.bank_card", "pii.mobile", "pii.account_number", "pii.email"],
    "injection": ["injection.direct"],
}
PII_KINDS = {
    "id_number": "pii.id_number",
    "bank_card": "pii.bank_card",
    "mobile": "pii.mobile",
    "account_number": "pii.account_number",
    "email": "pii.email",
}


class Product(BaseModel):
    code: str
    risk_level: str
    recommended: bool = False


class Case(BaseModel):
    id: str
    kind: str
    text: str
    labels: list[str] = Field(default_factory=list)
    client_class: str | None = None
    products: list[Product] = Field(default_factory=list)


def load_cases(path: Path) -> list[Case]:
    return [Case.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _suitability(case: Case) -> list[SuitabilityResult]:
    professional = case.client_class == "PRO"
    return [
        check_suitability(
            product_code=p.code,
            product_name=p.code,
            product_risk=p.risk_level,
            client_class="C1" if professional else (case.client_class or "C1"),
            investor_type="professional" if professional else "ordinary",
            assessment_expires=VALID_UNTIL,
            today=TODAY,
            initiated_by="advisor",
        )
        for p in case.products
    ]


def predict_reply(case: Case, policy: Policy) -> set[str]:
    # The sets' replies carry no product names, only codes; the rule the set labels is the
    # active recommendation, so "not stated" (a rewrite, not a violation) is not counted.
    hits = check_reply(case.text, ReplyContext(suitability=_suitability(case), canary=CANARY), policy)
    return {h.rule_id for h in hits} - {"suitability.not_stated"}


def predict_message(case: Case) -> set[str]:
    return {PII_KINDS[f.kind] for f in find_pii(case.text)}


def _rates(cases: list[Case], predicted: list[set[str]], rule: str) -> dict[str, float | int]:
    tp = sum(rule in p and rule in c.labels for c, p in zip(cases, predicted, strict=True))
    fp = sum(rule in p and rule not in c.labels for c, p in zip(cases, predicted, strict=True))
    fn = sum(rule not in p and rule in c.labels for c, p in zip(cases, predicted, strict=True))
    clean = [p for c, p in zip(cases, predicted, strict=True) if not c.labels]
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "fpr": sum(rule in p for p in clean) / len(clean) if clean else 0.0,
        "support": tp + fn,
    }


def _timed(cases: list[Case], fn: Callable[[Case], set[str]]) -> tuple[list[set[str]], list[float]]:
    out, times = [], []
    for case in cases:
        started = time.perf_counter()
        out.append(fn(case))
        times.append((time.perf_counter() - started) * 1000)
    return out, times


def evaluate(data: Path = DATA) -> dict[str, Any]:
    policy = load_policy()
    replies = load_cases(data / "replies.jsonl")
    messages = load_cases(data / "messages.jsonl")
    reply_pred, reply_ms = _timed(replies, lambda c: predict_reply(c, policy))
    message_pred, _ = _timed(messages, predict_message)
    per_rule: dict[str, Any] = {}
    for cases, predicted in ((replies, reply_pred), (messages, message_pred)):
        for rule in sorted({label for c in cases for label in c.labels}):
            per_rule[rule] = _rates(cases, predicted, rule)
    per_class = {}
    everything = replies + messages
    merged_pred = reply_pred + message_pred
    for name, rules in CLASSES.items():
        in_class = [({r for r in p if r in rules} and {name}) or set() for p in merged_pred]
        gold = [c.model_copy(update={"labels": [name] if set(c.labels) & set(rules) else []}) for c in everything]
        rates = _rates(gold, in_class, name)
        clean = [p for c, p in zip(everything, in_class, strict=True) if not c.labels]
        rates["fpr"] = sum(bool(p) for p in clean) / len(clean) if clean else 0.0
        per_class[name] = rates
    clean_replies = [p for c, p in zip(replies, reply_pred, strict=True) if not c.labels]
    return {
        "per_rule": per_rule,
        "per_class": per_class,
        "clean_reply_fpr": sum(bool(p) for p in clean_replies) / len(clean_replies),
        "p95_ms": percentile(reply_ms, 95),
        "asr": None,
        "n": {"replies": len(replies), "messages": len(messages)},
    }


if __name__ == "__main__":
    print(json.dumps(evaluate(), ensure_ascii=False, indent=2))
