"""The client roster a turn checks its reply against, loaded once and refreshed when it is old."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from guardrails.other_client import ClientIdentity, ClientRoster, OtherClients
from records.roster import catalog_names, client_identifiers


class RosterCache:
    """One :class:`ClientRoster` per process, rebuilt from the records after ``max_age``.

    A client added since the last build is unknown to the check until the next one; the age
    bounds that window without a query per turn."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, max_age: timedelta) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_age = max_age
        self._lock = threading.Lock()
        self._roster: ClientRoster | None = None
        self._built_at: datetime | None = None

    def roster(self) -> ClientRoster:
        with self._lock:
            now = self._clock.now()
            if self._roster is None or self._built_at is None or now - self._built_at >= self._max_age:
                self._roster, self._built_at = self._load(), now
            return self._roster

    def refresh(self) -> None:
        """Forget the roster: the next turn rebuilds it (after clients were added or renamed)."""
        with self._lock:
            self._roster = None

    def others_of(self, client_id: str) -> OtherClients:
        """The roster as ``client_id``'s turn sees it."""
        return OtherClients(roster=self.roster(), client_id=client_id)

    def _load(self) -> ClientRoster:
        with self._sessions() as session:
            rows = client_identifiers(session)
            ignored = catalog_names(session)
        clients = [ClientIdentity(client_id=r.client_id, names=r.names, account_numbers=r.account_numbers) for r in rows]
        return ClientRoster(clients=clients, ignored_names=ignored)
