"""The turn log read straight from its SQLite file with ``sqlite3``, not through the ORM."""

from __future__ import annotations

import sqlite3

from sqlalchemy import make_url

from core.settings import Settings


def _path(settings: Settings) -> str:
    return str(make_url(settings.resolved_database_url).database)


def copies_in_file(settings: Settings, secret: str) -> int:
    """How many times ``secret`` is in the database (every table, as ``.dump`` writes it)."""
    with sqlite3.connect(_path(settings)) as conn:
        return sum(line.count(secret) for line in conn.iterdump())


def stored_draft(settings: Settings, turn_id: str) -> str | None:
    """The raw draft column of one turn, as stored."""
    with sqlite3.connect(_path(settings)) as conn:
        row = conn.execute("select draft from turns where id = ?", (turn_id,)).fetchone()
    return None if row is None else row[0]
