from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from records import repository as repo
from records.schema import Client
from records.seed import seed


def test_sample_clients_cover_every_class(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        classes = {repo.get_client(s, f"client-00{i}").risk_class for i in range(1, 6)}  # type: ignore[union-attr]
        assert classes == {"C1", "C2", "C3", "C4", "C5"}
        c2_holdings = repo.get_holdings(s, "client-002")
        types = {repo.get_product(s, h.product_code).type for h in c2_holdings}  # type: ignore[union-attr]
        assert types == {"money_market"}


def test_sample_fund_is_r3(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        product = repo.get_product(s, "016801")
        assert product is not None and product.risk_level == "R3" and product.doc_id == "product-016801"


def test_seeding_again_inserts_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        counts = seed(s, with_dev_tokens=True)
    assert set(counts.values()) == {0}


def test_tokens_are_stored_hashed(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        principal = repo.principal_for_token(s, "dev-client-002")
        assert principal is not None and principal.role == "client" and principal.subject_id == "client-002"
        assert repo.principal_for_token(s, "dev-client-999") is None
        from sqlalchemy import select

        from records.schema import ApiToken

        stored = s.scalars(select(ApiToken.token_hash)).all()
        assert "dev-client-002" not in stored and repo.hash_token("dev-client-002") in stored


def test_seeding_fills_the_full_names_of_clients_seeded_before_migration_0005(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        s.execute(update(Client).where(Client.id.in_(["client-001", "client-003"])).values(full_name=None))
        s.execute(update(Client).where(Client.id == "client-002").values(full_name="王某某"))  # collected since: kept
    with sessions() as s, s.begin():
        counts = seed(s, with_dev_tokens=False)
    assert counts["full_names"] == 2 and counts["clients"] == 0
    with sessions() as s:
        rows = s.execute(select(Client.id, Client.full_name).where(Client.id.in_(["client-001", "client-002", "client-003"])))
        names = {cid: name for cid, name in rows}
    assert names == {"client-001": "周淑兰", "client-002": "王某某", "client-003": "李秀芬"}
