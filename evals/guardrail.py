"""Guardrail evaluation on the labelled sets in ``evals/data/guardrail``: per-rule precision,
recall and false-positive rate of the deterministic rails, and their latency per reply.

Replies are checked by the output rails with the client's class and the products the reply
names; client messages by the input rails (injection and jailbreak screening, scope, personal
data). Each file is split in two fixed halves by a hash of the id; the rules' phrase lists were
written reading only the "dev" half. The learned claim backstops (``claims.likely_*``) are trained
on both halves, so on this set their figures are in-sample: the honest ones are the
cross-validated figures in ``guardrails/policy/claim_scorer.json`` and the blind set's.
A backstop's hit counts for the rule it backs up (``claims.likely_certainty`` for
``claims.certainty``, ...). The above-class backstop (``guardrails.recommendation_scorer``) hits
``suitability.above_class`` itself; it is trained on these replies too, so its honest figures are
the CV ones in ``guardrails/policy/recommendation_scorer.json`` and the blind set's.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from evals.metrics import percentile
from guardrails.claim_judge import ClaimJudge
from guardrails.claim_scorer import BACKED_UP, SentenceEncoder
from guardrails.input_rails import screen_input
from guardrails.models import SuitabilityResult
from guardrails.output_rails import ReplyContext, check_reply
from guardrails.policy import Policy, load_policy
from guardrails.suitability import check_suitability

DATA = Path(__file__).parent / "data" / "guardrail"
INTENT_SET = Path(__file__).parent / "data" / "intent" / "messages.jsonl"
CANARY = "CANARY-7f3a9c"
TODAY = date(2026, 11, 22)
VALID_UNTIL = date(2028, 1, 1)
CLASSES = {
    "suitability": ["suitability.above_class"],
    "guaranteed_return": ["claims.guaranteed_return", "claims.likely_guarantee"],
    "pii": ["privacy.pii", "pii.id_number", "pii.bank_card", "pii.mobile", "pii.account_number", "pii.email"],
    "injection": ["injection.direct"],
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


class CatalogProduct(BaseModel):
    code: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    risk_level: str


@lru_cache(maxsize=2)
def load_catalog(path: Path = DATA / "products.json") -> dict[str, CatalogProduct]:
    """The products the labelled replies name (the set's own codes, not the sample catalog's)."""
    items = json.loads(path.read_text(encoding="utf-8"))
    return {item["code"]: CatalogProduct.model_validate(item) for item in items}


def catalog_for(data: Path) -> dict[str, CatalogProduct]:
    """The catalog beside a set's files when it brings one (a set written elsewhere may name
    other products), else this set's."""
    own = data / "products.json"
    return load_catalog(own) if own.exists() else load_catalog()


def _suitability(case: Case, catalog: dict[str, CatalogProduct]) -> list[SuitabilityResult]:
    professional = case.client_class == "PRO"
    return [
        check_suitability(
            product_code=p.code,
            product_name=catalog[p.code].name if p.code in catalog else p.code,
            product_risk=p.risk_level,
            client_class="C1" if professional else (case.client_class or "C1"),
            investor_type="professional" if professional else "ordinary",
            assessment_expires=VALID_UNTIL,
            today=TODAY,
            initiated_by="advisor",
        )
        for p in case.products
    ]


def predict_reply(
    case: Case,
    policy: Policy,
    catalog: dict[str, CatalogProduct] | None = None,
    judge: ClaimJudge | None = None,
    encoder: SentenceEncoder | None = None,
) -> set[str]:
    # The rule the set labels is the active recommendation, so "not stated" (a rewrite that adds
    # the suitability sentence, not a violation) is not counted; nor are notes (info) such as a
    # flag the claim judge withdrew.
    catalog = load_catalog() if catalog is None else catalog
    aliases = {code: p.aliases for code, p in catalog.items()}
    context = ReplyContext(suitability=_suitability(case, catalog), canary=CANARY, product_aliases=aliases)
    hits = check_reply(case.text, context, policy, judge, encoder)
    return {h.rule_id for h in hits if h.severity != "info"} - {"suitability.not_stated"}


def predict_message(case: Case) -> set[str]:
    """The set's labels from the input rails: an injection or jailbreak screen is
    ``injection.direct``, a scope refusal ``scope.out_of_scope``, personal data by kind."""
    verdict = screen_input(case.text)
    labels = {h.rule_id for h in verdict.rules if h.category == "pii"}
    if not verdict.allowed and verdict.category in ("injection", "jailbreak"):
        labels.add("injection.direct")
    elif not verdict.allowed and verdict.category == "scope":
        labels.add("scope.out_of_scope")
    return labels


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


def split_of(case_id: str) -> str:
    """A fixed half of each file, by a hash of the id: "dev" was read while writing the rules'
    phrase lists, "held_out" was not, so its figures are the honest ones."""
    return "dev" if zlib.crc32(case_id.encode()) % 2 == 0 else "held_out"


def score(cases: list[Case], predicted: list[set[str]]) -> dict[str, Any]:
    """Per rule and per class precision, recall and false-positive rate on clean cases. Per rule,
    a learned backstop's hit counts for the rule it backs up."""
    backed = [{BACKED_UP.get(rule, rule) for rule in p} for p in predicted]
    per_rule = {rule: _rates(cases, backed, rule) for rule in sorted({label for c in cases for label in c.labels})}
    per_class = {}
    for name, rules in CLASSES.items():
        in_class = [({r for r in p if r in rules} and {name}) or set() for p in predicted]
        gold = [c.model_copy(update={"labels": [name] if set(c.labels) & set(rules) else []}) for c in cases]
        rates = _rates(gold, in_class, name)
        clean = [p for c, p in zip(cases, in_class, strict=True) if not c.labels]
        rates["fpr"] = sum(bool(p) for p in clean) / len(clean) if clean else 0.0
        per_class[name] = rates
    clean_replies = [p for c, p in zip(cases, predicted, strict=True) if not c.labels and c.kind == "reply"]
    return {
        "per_rule": per_rule,
        "per_class": per_class,
        "clean_reply_fpr": sum(bool(p) for p in clean_replies) / len(clean_replies) if clean_replies else 0.0,
        "n": len(cases),
    }


def refusals_of_client_messages(path: Path = INTENT_SET) -> dict[str, Any]:
    """The input rails on 376 ordinary client messages (the intent set): how many in-scope ones
    they refuse (false positives) and how many out-of-scope ones they catch."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    refused = [(row, screen_input(row["text"])) for row in rows]
    in_scope = [(row, v) for row, v in refused if row["intent"] != "out_of_scope"]
    out_scope = [(row, v) for row, v in refused if row["intent"] == "out_of_scope"]
    return {
        "in_scope_refused": sum(not v.allowed for _, v in in_scope) / len(in_scope),
        "attack_rules_fired_on_clean": sum(not v.allowed and v.category in ("injection", "jailbreak") for _, v in refused) / len(refused),
        "out_of_scope_refused": sum(not v.allowed for _, v in out_scope) / len(out_scope) if out_scope else 0.0,
        "n": len(rows),
    }


def fold_of(case_id: str, k: int) -> int:
    return zlib.crc32(f"fold:{case_id}".encode()) % k


def grouped_folds(replies: list[Case], predicted: list[set[str]], k: int = 5) -> dict[str, Any]:
    """Recall and clean-reply false positives of the two headline rules over k folds grouped by
    reply. Nothing is refitted per fold, so this is the spread of a fixed system over parts of the
    set, not cross-validation; the mean equals the whole set's. On the team's own sets the claim
    backstops were trained on every fold (see ``evals.train_claim_scorer`` for their CV)."""
    rules = {"suitability": "suitability.above_class", "guaranteed_return": "claims.guaranteed_return"}
    per_fold: list[dict[str, float]] = []
    for fold in range(k):
        rows = [(c, p) for c, p in zip(replies, predicted, strict=True) if fold_of(c.id, k) == fold]
        scores = score([c for c, _ in rows], [p for _, p in rows])
        row = {f"{name}_recall": float(scores["per_rule"].get(rule, {}).get("recall", 0.0)) for name, rule in rules.items()}
        row["clean_reply_fpr"] = float(scores["clean_reply_fpr"])
        per_fold.append(row)
    keys = list(per_fold[0]) if per_fold else []
    return {
        "k": k,
        "mean": {key: sum(f[key] for f in per_fold) / k for key in keys},
        "worst": {key: (max if key.endswith("fpr") else min)(f[key] for f in per_fold) for key in keys},
    }


def evaluate(data: Path = DATA) -> dict[str, Any]:
    policy = load_policy()
    replies = load_cases(data / "replies.jsonl")
    # A set may bring replies only.
    messages = load_cases(data / "messages.jsonl") if (data / "messages.jsonl").exists() else []
    catalog = catalog_for(data)
    reply_pred, reply_ms = _timed(replies, lambda c: predict_reply(c, policy, catalog))
    message_pred, message_ms = _timed(messages, predict_message)
    cases, predicted = replies + messages, reply_pred + message_pred
    result = score(cases, predicted)
    result["splits"] = {
        name: score(
            [c for c in cases if split_of(c.id) == name], [p for c, p in zip(cases, predicted, strict=True) if split_of(c.id) == name]
        )
        for name in ("dev", "held_out")
    }
    result.update(
        p95_ms=percentile(reply_ms, 95),
        message_p95_ms=percentile(message_ms, 95) if message_ms else None,
        folds=grouped_folds(replies, reply_pred),
        client_messages=refusals_of_client_messages(),
        asr=None,
        n={"replies": len(replies), "messages": len(messages)},
    )
    return result


if __name__ == "__main__":
    print(json.dumps(evaluate(), ensure_ascii=False, indent=2))
