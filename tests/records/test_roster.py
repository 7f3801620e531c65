"""What rule privacy.other_client reads from the records, at the real SQLite boundary: every
sample client's salutation and full name, and every full name identifies its client under the
rule's guards (no catalog name or common word shields it) while no salutation does."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker

from guardrails.other_client import ClientIdentity, ClientRoster
from records.roster import catalog_names, client_identifiers
from records.seed import SAMPLE_DIR


def test_every_sample_client_has_its_own_full_name_beside_the_salutation(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        rows = client_identifiers(s)
    people = json.loads((SAMPLE_DIR / "clients.json").read_text(encoding="utf-8"))["clients"]
    assert [r.client_id for r in rows] == sorted(p["id"] for p in people)
    full_names = [r.full_name or "" for r in rows]
    assert len(set(full_names)) == len(rows) and len({n[:1] for n in full_names}) == len(rows)  # no two alike, nor two surnames
    for r in rows:
        assert r.display_name[1:] in ("先生", "女士"), r.display_name  # the salutation the client sees
        assert r.full_name and 2 <= len(r.full_name) <= 3 and r.full_name[0] == r.display_name[0], r.full_name
        assert r.names == [r.display_name, r.full_name]


def test_every_sample_full_name_identifies_its_client_and_no_salutation_does(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        rows = client_identifiers(s)
        ignored = catalog_names(s)
    roster = ClientRoster(
        clients=[ClientIdentity(client_id=r.client_id, names=r.names, account_numbers=r.account_numbers) for r in rows],
        ignored_names=ignored,
    )
    for r in rows:
        assert roster.found(f"听说{r.full_name}上周也买了这只基金。") == [("name", frozenset({r.client_id}))], r.full_name
        assert roster.found(f"{r.display_name}您好，这只基金风险较低。") == [], r.display_name
