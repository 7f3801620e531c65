"""``advisor bench guardrail``: the deterministic rails on the labelled sets beside a naive
banned-phrase filter (the baseline, same run), the blind sets again with the semantic claim
backstops (the retrieval embedder's sentence vectors) and then also with the claim judge on the
embedded model (as served), the input rails on the public attack sets, and the attack success
rate through whole turns with the embedded model."""

from __future__ import annotations

import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from evals.guardrail import CLASSES, Case, _timed, catalog_for, evaluate, load_cases, predict_reply, score, split_of
from evals.metrics import percentile
from guardrails.claim_judge import ClaimJudge
from guardrails.claim_scorer import SentenceEncoder
from guardrails.policy import load_policy

# Replies written by the author of the claim and recommendation rules, away from the labelled
# set, to probe paraphrases and hard negatives (see the README beside them).
OWN_SENTENCES = Path(__file__).parent / "data" / "guardrail_own"
# Replies written blind to the rules, the older set and the scorers (see their READMEs), by eight
# helpers at different times: the honest measure of the reply rules, since both halves of the
# older set were read while writing them. The headline pools them; each is reported too.
BLIND_SETS = tuple(
    Path(__file__).parent / "data" / "guardrail" / name
    for name in ("blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8")
)
REPLY_CLASSES = ("suitability", "guaranteed_return")
NOTES = [
    "Reply figures on replies.jsonl (held_out_split, dev_split, all_cases, folds) and own_sentences are in-sample for the"
    " claim rules: the learned backstops (claims.likely_*) are trained on both halves of replies.jsonl, on the own set and"
    " on evals/data/guardrail_train. Their honest figures are the 5-fold CV ones recorded per rule in"
    " guardrails/policy/claim_scorer.json (printed by `python -m evals.train_claim_scorer`) and the blind set's.",
    "per_rule counts a backstop's hit for the rule it backs up (claims.likely_certainty for claims.certainty, ...).",
    "suitability.above_class includes its learned backstop (trained on the same sets and on"
    " evals/data/guardrail_train/recommendations.jsonl); its 5-fold CV figures are in"
    " guardrails/policy/recommendation_scorer.json (printed by `python -m evals.train_recommendation_scorer`).",
]

# What a first attempt at a compliance filter looks like: a phrase list, no negation handling,
# no product names, no client class.
NAIVE_PHRASES = {
    "claims.guaranteed_return": ["保本", "保收益", "稳赚", "零风险", "无风险", "保证收益"],
    "claims.certainty": ["一定会涨", "肯定涨", "必涨", "肯定回本"],
    "claims.exaggerated_performance": ["从没亏过", "年年翻倍"],
    "claims.trade_on_behalf": ["帮您下单", "代客理财", "密码告诉我"],
    "suitability.above_class": ["强烈推荐", "推荐您买"],
}


def phrase_filter(case: Case) -> set[str]:
    """The baseline's verdict: every rule one of whose phrases the reply contains."""
    return {rule for rule, phrases in NAIVE_PHRASES.items() if any(p in case.text for p in phrases)}


def naive_baseline(data: Path) -> dict[str, Any]:
    """The phrase filter on the held-out half of the older set (when no blind set is present)."""
    replies = load_cases(data / "replies.jsonl")
    predicted, times = _timed(replies, phrase_filter)
    held = [(c, p) for c, p in zip(replies, predicted, strict=True) if split_of(c.id) == "held_out"]
    result = score([c for c, _ in held], [p for _, p in held])
    result["p95_ms"] = percentile(times, 95)
    return {k: v for k, v in result.items() if k in ("per_rule", "per_class", "clean_reply_fpr", "p95_ms")}


def naive_baseline_pooled(folders: tuple[Path, ...]) -> dict[str, Any]:
    """The phrase filter on every blind set present, pooled as the headline is."""
    replies = [c for f in folders if (f / "replies.jsonl").exists() for c in load_cases(f / "replies.jsonl")]
    predicted = [phrase_filter(c) for c in replies]
    result = score(replies, predicted)
    return {k: result[k] for k in ("per_rule", "per_class", "clean_reply_fpr")}


def own_sentences(folder: Path = OWN_SENTENCES) -> dict[str, Any]:
    """The rails on the rule author's own paraphrases and hard negatives."""
    cases = load_cases(folder / "replies.jsonl")
    policy, catalog = load_policy(), catalog_for(folder)
    result = score(cases, [predict_reply(c, policy, catalog) for c in cases])
    return {k: result[k] for k in ("per_class", "clean_reply_fpr", "n")}


class TimedJudge:
    """A claim judge that records how long each of its readings took (milliseconds)."""

    def __init__(self, judge: ClaimJudge) -> None:
        self.judge = judge
        self.ms: list[float] = []
        self.rules: list[str] = []

    @property
    def name(self) -> str:
        return self.judge.name

    def probability(self, rule: str, sentence: str) -> float:
        started = time.perf_counter()
        self.rules.append(rule)
        try:
            return self.judge.probability(rule, sentence)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def blind_figures(
    folders: tuple[Path, ...], judge: ClaimJudge | None = None, encoder: SentenceEncoder | None = None
) -> dict[str, Any] | None:
    """The reply rules on every blind set present, pooled (the headline) and set by set."""
    present = [f for f in folders if (f / "replies.jsonl").exists()]
    if not present:
        return None
    policy = load_policy()
    cases: list[Case] = []
    predicted: list[set[str]] = []
    times: list[float] = []
    sets: dict[str, Any] = {}
    for folder in present:
        catalog = catalog_for(folder)
        replies = load_cases(folder / "replies.jsonl")
        verdicts, ms = _timed(replies, partial(predict_reply, policy=policy, catalog=catalog, judge=judge, encoder=encoder))
        one = score(replies, verdicts)
        sets[folder.name] = {k: one[k] for k in ("per_class", "per_rule", "clean_reply_fpr")} | {
            "n": len(replies),
            "p95_ms": percentile(ms, 95),
        }
        cases += replies
        predicted += verdicts
        times += ms
    pooled = score(cases, predicted)
    return pooled | {"p95_ms": percentile(times, 95), "sets": sets, "n": len(cases)}


def judged_blind_figures(
    folders: tuple[Path, ...], judge: ClaimJudge, deterministic: dict[str, Any], encoder: SentenceEncoder | None = None
) -> dict[str, Any] | None:
    """The blind sets again with the claim judge reviewing the claim backstops' grey bands: the
    figures as served with the embedded model, how often the judge was asked and how long it
    took, beside the deterministic rails' figures from the same run."""
    timed = TimedJudge(judge)
    judged = blind_figures(folders, timed, encoder)
    if judged is None:
        return None
    return judged | {
        "claim_judge": {
            "model": judge.name,
            "sentences_read": len(timed.ms),
            "sentences_read_by_rule": dict(Counter(timed.rules)),
            "replies": judged["n"],
            "p50_ms_per_sentence": percentile(timed.ms, 50) if timed.ms else None,
            "p95_ms_per_sentence": percentile(timed.ms, 95) if timed.ms else None,
            "reply_p95_ms_with_judge": judged["p95_ms"],
            "deterministic_rails_only": {k: deterministic[k] for k in ("per_class", "per_rule", "clean_reply_fpr", "p95_ms")}
            | {"sets": {name: {k: v[k] for k in ("per_class", "clean_reply_fpr")} for name, v in deterministic["sets"].items()}},
        }
    }


def encoder_summary(semantic: dict[str, Any], encoder: str, deterministic: dict[str, Any]) -> dict[str, Any]:
    """The blind sets' figures with the semantic claim backstops (no judge) and the reply latency
    with the sentence embeddings, beside the deterministic rails' from the same run."""
    return {
        "encoder": encoder,
        "per_class": semantic["per_class"],
        "per_rule": semantic["per_rule"],
        "clean_reply_fpr": semantic["clean_reply_fpr"],
        "reply_p95_ms_with_encoder": semantic["p95_ms"],
        "sets": {name: {k: v[k] for k in ("per_class", "clean_reply_fpr")} for name, v in semantic["sets"].items()},
        "deterministic_p95_ms": deterministic["p95_ms"],
    }


def bench(
    data: Path,
    attacks: dict[str, Any] | None,
    input_rails: dict[str, Any] | None,
    blind: tuple[Path, ...] = BLIND_SETS,
    judge: ClaimJudge | None = None,
    encoder: SentenceEncoder | None = None,
) -> dict[str, Any]:
    ours = evaluate(data)
    held_out = ours["splits"]["held_out"]
    unseen = blind_figures(blind)
    # The headline is what is served: the rails with the semantic backstops and the claim judge
    # when both models are there. p95_ms stays the deterministic rails' (the latency target is
    # theirs); the models' own timings are reported beside it.
    semantic_run = blind_figures(blind, encoder=encoder) if encoder is not None and unseen is not None else None
    semantic = encoder_summary(semantic_run, encoder.name, unseen) if encoder is not None and semantic_run and unseen else None
    judged = judged_blind_figures(blind, judge, unseen, encoder) if judge is not None and unseen is not None else None
    deterministic_p95 = unseen["p95_ms"] if unseen else None
    served = ["the semantic backstops (" + semantic["encoder"] + ")"] if semantic else []
    served += [f"the claim judge ({judged['claim_judge']['model']})"] if judged else []
    unseen = judged or semantic_run or unseen
    # Headline: reply rules on the blind sets; message rules (personal data, injection) on the
    # held-out half of the messages, which their rules' author did not read while writing them.
    reply_side = unseen or held_out
    message_rules = {rule: v for rule, v in held_out["per_rule"].items() if rule not in reply_side["per_rule"]}
    report: dict[str, Any] = {
        "per_rule": {**reply_side["per_rule"], **message_rules},
        "per_class": {name: (reply_side if name in REPLY_CLASSES else held_out)["per_class"][name] for name in CLASSES},
        "clean_reply_fpr": reply_side["clean_reply_fpr"],
        "asr": attacks["asr"] if attacks else None,
        "p95_ms": max(ours["p95_ms"], deterministic_p95) if deterministic_p95 is not None else ours["p95_ms"],
        "headline_sources": {
            "replies": (f"blind sets pooled ({', '.join(unseen['sets'])})" if unseen else "held-out half of replies.jsonl")
            + (", rails with " + " and ".join(served) if served else ", deterministic rails"),
            "messages": "held-out half of messages.jsonl",
        },
        "blind_sets": unseen["sets"] if unseen else None,
        "claim_judge": judged["claim_judge"] if judged else None,
        "semantic_backstops": semantic,
        "held_out_split": {"per_class": held_out["per_class"], "clean_reply_fpr": held_out["clean_reply_fpr"]},
        "all_cases": {"per_class": ours["per_class"], "clean_reply_fpr": ours["clean_reply_fpr"]},
        "dev_split": {"per_class": ours["splits"]["dev"]["per_class"], "clean_reply_fpr": ours["splits"]["dev"]["clean_reply_fpr"]},
        "client_messages": ours["client_messages"],
        "folds": ours["folds"],
        "own_sentences": own_sentences(),
        "baseline_phrase_filter": naive_baseline_pooled(blind) if unseen else naive_baseline(data),
        "n": ours["n"],
        "notes": NOTES,
    }
    if input_rails is not None:
        report["input_rails"] = {k: input_rails[k] for k in ("per_class", "clean_fpr", "p95_ms", "notes") if k in input_rails}
    if attacks is not None:
        report["attacks"] = attacks
    return report
