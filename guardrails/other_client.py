"""Another client's identifiers in a reply (rule ``privacy.other_client``). Pure logic.

A :class:`ClientRoster` holds every client's identifiers: client ids, account numbers (masked as
the records store them, or written out in full) and the names that identify someone. It is
built once from the records (the agent refreshes it now and then) and matched by looking up each
window of the text in a dictionary, one window length at a time: a check costs
O(len(text) × distinct identifier lengths), however many clients there are.

The name rule, because a hit blocks the reply and a false positive costs the client a real
answer: a name the records hold (the display name, and the full name where one was collected)
identifies a client only when it is a *full name*, i.e. at least two characters are left once an
honorific (先生, 女士, …) and an address prefix (老, 小, 阿) are removed, and what is left is not
a compound surname alone (欧阳女士). "李女士" or "老王" is a form of address that thousands of
clients share and a reply may use for anyone: it never fires. A full name never fires either
when it occurs inside a product name, short name, alias, fund company or manager of the catalog,
or in the policy's list of common words that are also names (平安, 华夏, 高明, …), or when it is
also one of the current client's own names. Client ids and account numbers always fire, unless
they are also the current client's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

import yaml
from pydantic import BaseModel, Field, PrivateAttr

RULES_FILE = Path(__file__).parent / "policy" / "other_client.yaml"
IdentifierKind = Literal["client_id", "name", "account_number"]
KIND_LABELS: dict[IdentifierKind, str] = {"client_id": "客户号", "name": "姓名", "account_number": "账户号"}
MASK_CHARS = "*＊×"
# An account number as a reply may write it: full, or masked with any number of mask characters.
ACCOUNT_TOKEN = re.compile(r"(?<![0-9A-Za-z*＊×])[0-9A-Za-z]{2}[0-9A-Za-z*＊×]{2,}[0-9]{4}(?![0-9A-Za-z*＊×])")
CJK = re.compile(r"[\u3400-\u9fff]")
MIN_ACCOUNT_CHARS = 8
MIN_LATIN_NAME_CHARS = 4


class IdentifierMatch(NamedTuple):
    """One identifier found in a text: ``text[start:end]``, its kind and the clients it belongs to."""

    start: int
    end: int
    kind: IdentifierKind
    owners: frozenset[str]


class NameRules(BaseModel):
    """The data behind the name rule (``policy/other_client.yaml``)."""

    version: str
    honorifics: list[str]
    address_prefixes: list[str]
    compound_surnames: list[str]
    common_words: list[str]


@lru_cache(maxsize=4)
def load_name_rules(path: Path = RULES_FILE) -> NameRules:
    return NameRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def identifying_name(display_name: str, rules: NameRules) -> str | None:
    """The full name inside ``display_name`` ("李秀英女士" -> "李秀英"), or None for a form of
    address ("李女士", "老王", "欧阳先生") that does not identify anyone."""
    core = display_name.strip()
    for honorific in sorted(rules.honorifics, key=len, reverse=True):
        if core.endswith(honorific) and len(core) > len(honorific):
            core = core[: -len(honorific)].strip()
            break
    for prefix in rules.address_prefixes:
        if core.startswith(prefix) and len(core) == len(prefix) + 1:
            return None
    if len(core) < 2 or core in rules.compound_surnames:
        return None
    if not CJK.search(core) and len(core) < MIN_LATIN_NAME_CHARS:
        return None
    return core


def account_key(token: str) -> tuple[str, str] | None:
    """What a masked number keeps (its first two and last four characters), the same for the
    stored ``A1*****6789``, a reply's ``A1****6789`` and the full ``A123456789``."""
    compact = token.strip()
    if len(compact) < MIN_ACCOUNT_CHARS or any(ch in MASK_CHARS for ch in compact[:2] + compact[-4:]):
        return None
    return compact[:2].upper(), compact[-4:]


def _substrings(words: list[str], longest: int = 12) -> set[str]:
    """Every piece of two to ``longest`` characters of ``words``: a name among them is shielded."""
    return {w[i : i + n] for w in words for n in range(2, longest + 1) for i in range(len(w) - n + 1)}


def _mask_free(token: str) -> bool:
    return not any(ch in MASK_CHARS for ch in token)


class ClientIdentity(BaseModel):
    """What identifies one client in a text."""

    client_id: str
    names: list[str] = Field(default_factory=list, description="display and full names, as the records hold them")
    account_numbers: list[str] = Field(default_factory=list, description="account numbers, masked as stored or in full")


class ClientRoster(BaseModel):
    """Every client's identifiers, indexed for a fast scan of a reply."""

    clients: list[ClientIdentity]
    ignored_names: list[str] = Field(default_factory=list, description="product, company and manager names of the catalog")
    rules: NameRules = Field(default_factory=load_name_rules)
    _literals: dict[str, dict[IdentifierKind, set[str]]] = PrivateAttr(default_factory=dict)
    _lengths: list[int] = PrivateAttr(default_factory=list)
    _accounts: dict[tuple[str, str], list[tuple[int, str]]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, _context: object) -> None:
        literals: dict[str, dict[IdentifierKind, set[str]]] = defaultdict(lambda: defaultdict(set))
        accounts: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        shielded = _substrings([*self.ignored_names, *self.rules.common_words])
        for client in self.clients:
            literals[client.client_id]["client_id"].add(client.client_id)
            for display_name in client.names:
                name = identifying_name(display_name, self.rules)
                if name and name not in shielded:
                    literals[name]["name"].add(client.client_id)
            for number in client.account_numbers:
                key = account_key(number)
                if key:
                    accounts[key].append((len(number) if _mask_free(number) else 0, client.client_id))
        self._literals = {k: dict(v) for k, v in literals.items()}
        self._lengths = sorted({len(k) for k in literals})
        self._accounts = dict(accounts)

    def __len__(self) -> int:
        return len(self.clients)

    def matches(self, text: str) -> list[IdentifierMatch]:
        """Every identifier in ``text``: where it is, its kind and the clients it belongs to."""
        out: list[IdentifierMatch] = []
        for size in self._lengths:
            for start in range(len(text) - size + 1):
                owners = self._literals.get(text[start : start + size])
                if owners and _bounded(text, start, start + size):
                    out += [IdentifierMatch(start, start + size, kind, frozenset(ids)) for kind, ids in owners.items()]
        for match in ACCOUNT_TOKEN.finditer(text):
            key = account_key(match.group())
            entries = self._accounts.get(key) if key else None
            if entries:
                token_len = len(match.group()) if _mask_free(match.group()) else 0
                # A full number must have the length of the full number; a masked one may not.
                ids = frozenset(cid for length, cid in entries if not token_len or not length or length == token_len)
                if ids:
                    out.append(IdentifierMatch(match.start(), match.end(), "account_number", ids))
        return out

    def found(self, text: str) -> list[tuple[IdentifierKind, frozenset[str]]]:
        """Every identifier in ``text``: its kind and the clients it belongs to."""
        return [(m.kind, m.owners) for m in self.matches(text)]

    def others_in(self, text: str, client_id: str) -> list[IdentifierKind]:
        """The kinds of identifier in ``text`` that belong to some client and not to ``client_id``."""
        kinds = [kind for kind, owners in self.found(text) if client_id not in owners]
        return list(dict.fromkeys(kinds))


def _bounded(text: str, start: int, end: int) -> bool:
    """A Latin or numeric identifier must stand alone ("client-003" is not inside "client-0031")."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    edge_in = text[start].isascii() and text[start].isalnum()
    edge_out = text[end - 1].isascii() and text[end - 1].isalnum()
    return not (edge_in and before.isascii() and before.isalnum()) and not (edge_out and after.isascii() and after.isalnum())


class OtherClients(BaseModel):
    """The roster as one client's turn sees it: everyone else's identifiers."""

    roster: ClientRoster
    client_id: str

    def find(self, text: str) -> list[IdentifierKind]:
        return self.roster.others_in(text, self.client_id)

    def mask(self, text: str) -> str:
        """``text`` with every other client's identifier replaced by its kind ("〔其他客户的姓名〕").

        Nothing of the identifier is kept, unlike :func:`guardrails.pii.mask_pii`'s masking: the
        first two and last four characters of an account number are what the records store and
        what this rule matches on. Overlapping identifiers are masked as one, by the first's kind."""
        spans: list[tuple[int, int, IdentifierKind]] = []
        for m in sorted((m for m in self.roster.matches(text) if self.client_id not in m.owners), key=lambda m: (m.start, -m.end)):
            if spans and m.start < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], m.end), spans[-1][2])
            else:
                spans.append((m.start, m.end, m.kind))
        out, last = [], 0
        for start, end, kind in spans:
            out += [text[last:start], f"〔其他客户的{KIND_LABELS[kind]}〕"]
            last = end
        out.append(text[last:])
        return "".join(out)

    def detail(self, kinds: Iterable[IdentifierKind]) -> str:
        """The hit's detail names the kinds found, never the values (the rules are shown and logged)."""
        return "回复含其他客户的" + "、".join(KIND_LABELS[k] for k in kinds)
