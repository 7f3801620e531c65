"""Prompt texts live in this folder as files; code only loads and fills them.

A prompt's version is its file name plus the first 8 hex digits of its sha256, so the log
records exactly which text produced a turn.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

PROMPT_DIR = Path(__file__).parent


class Prompt(BaseModel):
    name: str
    text: str

    @property
    def version(self) -> str:
        return f"{self.name}@{hashlib.sha256(self.text.encode('utf-8')).hexdigest()[:8]}"

    def render(self, **values: str) -> str:
        return self.text.format(**values)


@lru_cache(maxsize=32)
def load_prompt(name: str) -> Prompt:
    """The prompt ``prompts/<name>.md``."""
    path = PROMPT_DIR / f"{name}.md"
    return Prompt(name=name, text=path.read_text(encoding="utf-8").strip())
