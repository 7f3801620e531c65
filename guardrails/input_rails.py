"""Input rails: screen a client's message before the model sees anything.

Direct prompt injection and jailbreaks (Chinese and English, also encoded or disguised), scope
(non-financial or harmful requests) and personal information. Deterministic: patterns from
``policy/input_policy.yaml`` over a normalised text and a few decoded views of it.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import urllib.parse

from pydantic import BaseModel, Field

from guardrails.injection import scan_passage
from guardrails.input_policy import Category, CompiledInputPolicy, CompiledRule, fold, load_input_policy, normalise
from guardrails.models import RuleHit
from guardrails.pii import mask_pii

# Single characters split by separators: "忽/略/所/有/规/则", "i g n o r e".
SPLIT_RUN = re.compile(r"(?:[^\W_][\s/\\|\-_.*·~+]+){3,}[^\W_]")
SEPARATORS = re.compile(r"[\s/\\|\-_.*·~+]+")
LEET_TOKEN = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
BASE64_BLOB = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
HEX_BLOB = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}[\s:]?){8,}(?![0-9A-Za-z])")
URL_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2}){4,}")
UNICODE_ESCAPES = re.compile(r"(?:\\u[0-9A-Fa-f]{4}){3,}")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|『[^』]*』|'[^']*'|‘[^’]*’")
ATTACK_CATEGORIES = ("injection", "jailbreak")
CATEGORY_ORDER: dict[str, int] = {"injection": 0, "jailbreak": 1, "scope": 2, "pii": 3}
PII_RULES = {
    "id_number": "pii.id_number",
    "bank_card": "pii.bank_card",
    "mobile": "pii.mobile",
    "account_number": "pii.account_number",
    "email": "pii.email",
}
MIN_UNRELATED_CHARS = 12
OFF_TOPIC_RULES = ("scope.non_financial", "scope.unrelated")
MAX_DECODE_DEPTH = 2


class InputRuleHit(RuleHit):
    """A rule that fired on a client message, with its category."""

    category: Category


class InputVerdict(BaseModel):
    """What the input rails decided for one client message."""

    allowed: bool = Field(description="false when a blocking rule fired: show `refusal`, do not call the model")
    category: Category | None = Field(default=None, description="category of the strongest rule that fired")
    rules: list[InputRuleHit] = Field(default_factory=list)
    refusal: str | None = Field(default=None, description="the Chinese refusal to show when not allowed")
    normalised: str = Field(description="the text the rules were matched against")
    masked_text: str = Field(description="the message with personal information masked: log this, send this")
    policy_version: str

    @property
    def rule_ids(self) -> list[str]:
        return [r.rule_id for r in self.rules]


def _join_split_runs(text: str) -> str:
    return SPLIT_RUN.sub(lambda m: SEPARATORS.sub("", m.group()), text)


def _deleet(text: str) -> str:
    return LEET_TOKEN.sub(lambda m: m.group().translate(LEET) if re.search(r"[0-9@$]", m.group()) else m.group(), text)


def _readable(data: bytes) -> str | None:
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() or ch.isspace() for ch in decoded)
    return decoded if decoded.strip() and printable >= 0.9 * len(decoded) else None


def decoded_payloads(text: str) -> list[str]:
    """Readable texts hidden in ``text`` as base64, hex, URL or \\u escapes."""
    out = []
    for blob in BASE64_BLOB.findall(text):
        padded = blob + "=" * (-len(blob) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                found = _readable(decode(padded))
            except (binascii.Error, ValueError):
                continue
            if found:
                out.append(found)
                break
    for blob in HEX_BLOB.findall(text):
        found = _readable(bytes.fromhex(re.sub(r"[\s:]", "", blob)))
        if found:
            out.append(found)
    out += [urllib.parse.unquote(m) for m in URL_ESCAPES.findall(text)]
    out += [codecs.decode(m, "unicode_escape") for m in UNICODE_ESCAPES.findall(text)]
    return out


def _views(norm: str) -> list[str]:
    """The normalised text and the disguises undone: split characters, leetspeak, ROT13."""
    views = [norm, _join_split_runs(norm)]
    views.append(_deleet(views[-1]))
    if re.search(r"[a-z]{4,}", norm):
        views.append(codecs.encode(norm, "rot13"))
    return list(dict.fromkeys(views))


def _quoted_question(match: str, norm: str, policy: CompiledInputPolicy) -> bool:
    """A quoted attack phrase inside a question about it, not an attack."""
    if not policy.quote_questions.search(norm):
        return False
    return any(match in q for q in QUOTED.findall(norm))


def _rule_match(rule: CompiledRule, views: list[str], policy: CompiledInputPolicy) -> str | None:
    for view in views:
        for pattern in rule.patterns:
            for m in pattern.finditer(view):
                if rule.requires and not any(p.search(view) for p in rule.requires):
                    break
                if any(p.search(view) for p in rule.unless):
                    break
                if rule.category in ATTACK_CATEGORIES and _quoted_question(m.group(), views[0], policy):
                    continue
                return m.group()
    return None


def _hit(rule: CompiledRule, span: str, detail: str = "") -> InputRuleHit:
    return InputRuleHit(
        rule_id=rule.rule_id,
        severity=rule.severity,
        version=rule.version,
        category=rule.category,  # type: ignore[arg-type]  # validated by InputRule on load
        detail=detail or rule.description,
        span=span,
    )


def _attack_hits(texts: list[str], policy: CompiledInputPolicy) -> list[tuple[CompiledRule, str]]:
    views = [v for t in texts for v in _views(t)]
    out = []
    for rule in policy.rules:
        if rule.category in ATTACK_CATEGORIES and rule.patterns:
            span = _rule_match(rule, views, policy)
            if span is not None:
                out.append((rule, span))
    return out


def _encoded_hits(folded: str, policy: CompiledInputPolicy, depth: int = 0) -> list[tuple[str, str]]:
    """(inner rule id, decoded text) for every decoded payload that is itself an attack."""
    found = []
    for payload in decoded_payloads(folded):
        inner = _attack_hits([normalise(payload)], policy)
        if inner:
            found.append((inner[0][0].rule_id, payload))
        elif depth < MAX_DECODE_DEPTH:
            found += _encoded_hits(fold(payload), policy, depth + 1)
    return found


def _unrelated(norm: str, policy: CompiledInputPolicy) -> str | None:
    """The message, when it is long enough to stand alone and names nothing of the service."""
    compact = re.sub(r"[\W_]", "", norm)
    if len(compact) < MIN_UNRELATED_CHARS or policy.service_terms.search(norm) or policy.follow_up_terms.search(norm):
        return None
    return compact[:20]


def _scope_hits(norm: str, policy: CompiledInputPolicy, *, topical: bool) -> list[InputRuleHit]:
    """Harmful requests always; off-topic ones only when nothing marks the message as being
    about money or the service (``topical``: an attack or personal data was found)."""
    views = list(dict.fromkeys([norm, _join_split_runs(norm)]))
    topical = topical or bool(policy.finance_terms.search(norm))
    hits: list[InputRuleHit] = []
    for rule in policy.rules:
        if rule.category != "scope" or (topical and rule.rule_id in OFF_TOPIC_RULES):
            continue
        unrelated = rule.rule_id == "scope.unrelated"
        span = (None if hits else _unrelated(norm, policy)) if unrelated else _rule_match(rule, views, policy)
        if span is not None:
            hits.append(_hit(rule, span))
    return hits


def _pii_hits(text: str, policy: CompiledInputPolicy) -> tuple[str, list[InputRuleHit]]:
    masked, findings = mask_pii(text)
    hits = []
    for kind in dict.fromkeys(f.kind for f in findings):
        rule = policy.rule(PII_RULES[kind])
        hits.append(_hit(rule, "", rule.description))
    return masked, hits


def _embedded_hits(folded: str, policy: CompiledInputPolicy) -> list[InputRuleHit]:
    """Instructions to the assistant hidden in text the client pasted in quotes."""
    rule = policy.rule("injection.embedded_instruction")
    for quoted in QUOTED.findall(folded):
        findings = scan_passage(quoted[1:-1], policy) if len(quoted) > 16 else []
        if findings:
            return [_hit(rule, findings[0].sentence, f"粘贴内容中的指令（{findings[0].rule_id}）")]
    return []


def screen_input(text: str, policy: CompiledInputPolicy | None = None) -> InputVerdict:
    """Screen one client message. Not allowed: show ``refusal`` and log the turn with ``rules``.
    Allowed: go on with ``masked_text``."""
    policy = policy or load_input_policy()
    folded = fold(text)
    norm = folded.lower()
    hits = [_hit(rule, span) for rule, span in _attack_hits([norm], policy)]
    fired = {h.rule_id for h in hits}
    for inner, payload in _encoded_hits(folded, policy):
        if "injection.encoded_payload" not in fired:
            rule = policy.rule("injection.encoded_payload")
            hits.append(_hit(rule, payload[:80], f"解码后命中 {inner}"))
            fired.add(rule.rule_id)
    if not fired & {"injection.ignore_instructions", "injection.override_compliance"}:
        hits += _embedded_hits(folded, policy)
    masked, pii = _pii_hits(text, policy)
    hits += _scope_hits(norm, policy, topical=bool(hits or pii))
    hits += pii
    blocking = sorted((h for h in hits if h.severity in ("block", "escalate")), key=lambda h: CATEGORY_ORDER[h.category])
    strongest = blocking[0] if blocking else (hits[0] if hits else None)
    refusal = policy.refusals[policy.rule(blocking[0].rule_id).refusal] if blocking else None
    return InputVerdict(
        allowed=not blocking,
        category=strongest.category if strongest else None,
        rules=hits,
        refusal=refusal,
        normalised=norm,
        masked_text=masked,
        policy_version=policy.version,
    )
