"""Alembic environment: runs migrations on the engine handed in through ``config.attributes``."""

from alembic import context

from records.schema import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
