"""Alembic's environment: always given a connection by ``web.ops.migrations``."""

from __future__ import annotations

from alembic import context

from web.ops.migrations import VERSION_TABLE, app_metadata, app_table_names

connection = context.config.attributes["connection"]
if connection is None:
    raise RuntimeError("run the migrations through consortium migrate")


def only_app_tables(
    item: object, name: str | None, kind: str, reflected: bool, compared: object
) -> bool:
    """The read models and the event log share PostgreSQL's database: not ours here."""
    return kind != "table" or name in app_table_names()


context.configure(
    connection=connection,
    target_metadata=list(app_metadata()),
    version_table=VERSION_TABLE,
    include_object=only_app_tables,
    # SQLite alters a table by copying it: the only way to change a column there.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
