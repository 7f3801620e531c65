"""Names by which clients call the products and securities a corpus covers, mapped to codes, so
that "宁王研报目标价" reaches the documents about 300750 through their metadata.

The map comes from a catalog (the records' products, or a JSON file of the same rows); a corpus
without one still links the six-digit codes its questions name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

MIN_ALIAS_CHARS = 2


def alias_map(rows: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Lower-cased name, short name and aliases of each row to its ``code``."""
    names: dict[str, str] = {}
    for row in rows:
        code = str(row["code"])
        aliases = row.get("aliases") or []
        for name in (row.get("name"), row.get("short_name"), *(aliases if isinstance(aliases, list) else [])):
            if isinstance(name, str) and len(name.strip()) >= MIN_ALIAS_CHARS:
                names.setdefault(name.strip().lower(), code)
    return names


def load_alias_file(path: Path) -> dict[str, str]:
    """The alias map of a JSON catalog (a list of rows with code, name, short_name, aliases)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return alias_map(rows if isinstance(rows, list) else [])


def codes_named(query: str, aliases: Mapping[str, str]) -> list[str]:
    """The codes ``query`` names through an alias, longest alias first, each once."""
    lowered = query.lower()
    found: list[str] = []
    for alias in sorted(aliases, key=len, reverse=True):
        if alias in lowered and aliases[alias] not in found:
            found.append(aliases[alias])
            lowered = lowered.replace(alias, " ")
    return found
