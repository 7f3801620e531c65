"""The input-rail policy (``policy/input_policy.yaml``), compiled once per process, and the text
normalisation every input and passage check runs on first."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from guardrails.models import Severity

INPUT_POLICY_FILE = Path(__file__).parent / "policy" / "input_policy.yaml"

Category = Literal["injection", "jailbreak", "scope", "pii"]
MACROS = {"<G>": r"[^。!?;\n]", "<YOU>": "[你您]"}

# Latin look-alikes from Cyrillic and Greek that NFKC leaves alone ("ignоre" with a Cyrillic о).
HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
        "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ӏ": "l", "α": "a", "β": "b",
        "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t",
        "Х": "x", "І": "i", "Ј": "j", "Ѕ": "s", "Α": "a", "Β": "b", "Ε": "e", "Ι": "i", "Κ": "k", "Ο": "o",
        "Ρ": "p", "Τ": "t", "Χ": "x",
    }
)  # fmt: skip


class InputRule(BaseModel):
    """One input rule: what it looks for and what the client is told when it fires."""

    model_config = ConfigDict(extra="forbid")
    category: Category
    severity: Severity
    version: int
    description: str
    refusal: str | None = Field(default=None, description="key into `refusals`; the category's when absent")
    patterns: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list, description="one of these must match as well")
    unless: list[str] = Field(default_factory=list, description="none of these may match")


class PassageRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    version: int
    description: str
    patterns: list[str]


class InputPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    refusals: dict[str, str]
    quote_questions: str
    finance_terms: str
    service_terms: str
    follow_up_terms: str
    law_question: str = Field(description="shared `unless` guard, referenced by YAML anchor")
    rules: dict[str, InputRule]
    passage_rules: dict[str, PassageRule]


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    category: str
    severity: Severity
    version: int
    description: str
    refusal: str
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class CompiledInputPolicy:
    version: str
    refusals: dict[str, str]
    rules: tuple[CompiledRule, ...]
    passage_rules: tuple[CompiledRule, ...]
    quote_questions: re.Pattern[str]
    finance_terms: re.Pattern[str]
    service_terms: re.Pattern[str]
    follow_up_terms: re.Pattern[str]

    def rule(self, rule_id: str) -> CompiledRule:
        return next(r for r in self.rules + self.passage_rules if r.rule_id == rule_id)


def _compile(pattern: str) -> re.Pattern[str]:
    for macro, expansion in MACROS.items():
        pattern = pattern.replace(macro, expansion)
    return re.compile(pattern)


def _compile_all(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(_compile(p) for p in patterns)


@lru_cache(maxsize=4)
def load_input_policy(path: Path = INPUT_POLICY_FILE) -> CompiledInputPolicy:
    """The compiled input policy in ``path``; a refusal key that names no refusal text, or a
    pattern that does not compile, is a load error."""
    policy = InputPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    rules = []
    for rule_id, spec in policy.rules.items():
        refusal = spec.refusal or spec.category
        if spec.severity == "block" and refusal not in policy.refusals:
            raise ValueError(f"input rule {rule_id}: no refusal text {refusal!r}")
        rules.append(
            CompiledRule(
                rule_id=rule_id,
                category=spec.category,
                severity=spec.severity,
                version=spec.version,
                description=spec.description,
                refusal=refusal,
                patterns=_compile_all(spec.patterns),
                requires=_compile_all(spec.requires),
                unless=_compile_all(spec.unless),
            )
        )
    passage = tuple(
        CompiledRule(rule_id, "injection", s.severity, s.version, s.description, "injection", _compile_all(s.patterns))
        for rule_id, s in policy.passage_rules.items()
    )
    return CompiledInputPolicy(
        version=policy.version,
        refusals=policy.refusals,
        rules=tuple(rules),
        passage_rules=passage,
        quote_questions=_compile(policy.quote_questions),
        finance_terms=_compile(policy.finance_terms),
        service_terms=_compile(policy.service_terms),
        follow_up_terms=_compile(policy.follow_up_terms),
    )


def fold(text: str) -> str:
    """NFKC (full-width to half-width), format characters (zero-width spaces and joiners, the
    soft hyphen, direction marks) removed, look-alike letters folded; case kept."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.translate(HOMOGLYPHS)


def normalise(text: str) -> str:
    """The text every rule is matched against: :func:`fold`, then lower case."""
    return fold(text).lower()
