"""Every client's identifiers and the catalog's names, read in two queries for the roster that
rule privacy.other_client matches replies against (see guardrails/other_client.py)."""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from records import schema


class ClientIdentifiers(BaseModel):
    client_id: str
    display_name: str = Field(description="the salutation shown to the client (李女士); identifies no one by itself")
    full_name: str | None = Field(default=None, description="李秀芬; null when not collected")
    account_numbers: list[str]

    @property
    def names(self) -> list[str]:
        """Every name the records hold for the client; the rule decides which of them identify."""
        return [n for n in (self.display_name, self.full_name) if n]


def client_identifiers(session: Session) -> list[ClientIdentifiers]:
    """Id, display name, full name and (masked) account numbers of every client, by id."""
    accounts: dict[str, list[str]] = defaultdict(list)
    for client_id, masked_no in session.execute(select(schema.Account.client_id, schema.Account.masked_no)):
        accounts[client_id].append(masked_no)
    rows = session.execute(select(schema.Client.id, schema.Client.display_name, schema.Client.full_name).order_by(schema.Client.id))
    return [
        ClientIdentifiers(client_id=cid, display_name=display, full_name=full, account_numbers=accounts.get(cid, []))
        for cid, display, full in rows
    ]


def catalog_names(session: Session) -> list[str]:
    """Product names, short names, aliases, companies and managers: words a reply may use freely."""
    names: list[str] = []
    for p in session.scalars(select(schema.Product)):
        names += [n for n in (p.name, p.short_name, p.company, p.manager, *(p.aliases or [])) if n]
    return sorted(set(names))
