"""Where the personal-data keys come from: ``ADVISOR_PII_KEY``, or in development and test a key
file under the data folder, created once with mode 0600.

Production refuses to start without ``ADVISOR_PII_KEY`` (see ``core.settings``): a key file next
to the database it protects would protect nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet

from core.settings import Settings
from records.errors import PiiKeyFileError


def pii_keys(settings: Settings) -> list[str]:
    """The configured keys, the one that encrypts new entries first."""
    if settings.pii_key is not None:
        return [k.strip() for k in settings.pii_key.get_secret_value().split(",") if k.strip()]
    if settings.environment == "production":
        raise PiiKeyFileError("ADVISOR_PII_KEY is required in production")
    return [development_key(settings.pii_key_file)]


def development_key(path: Path) -> str:
    """The key in ``path``, created (0600, atomically) when missing; refused when others may read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, Fernet.generate_key() + b"\n")
        finally:
            os.close(fd)
        try:
            os.link(temp, path)  # atomic: a concurrent start-up keeps whichever key was linked first
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PiiKeyFileError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
    return path.read_text(encoding="ascii").strip()
