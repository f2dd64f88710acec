"""The app tables' migrations (Alembic): accounts, sessions, factors, throttle,
outbox, notices, job runs, leases, request keys, verification requests, stored
files, the platform keys' fingerprints.

The event log is the library's and never changes shape; read models are
disposable and rebuilt from it. The app tables are neither: they hold accounts and
the outbox, so a release that changes them ships a migration
(``web/ops/alembic/versions/``), run by ``consortium migrate`` and by every start
(under the creation lock on PostgreSQL, so two processes starting together run it
once).

Three cases when a store opens:
- no app table yet: the tables are created from the code's declarations and marked
  at the newest revision (the same schema the migrations make, which a test checks;
  replaying every migration on each new test store would cost more than the rest);
- app tables but no revision: a store made before migrations existed: upgraded from
  the start, the first revision creating only the tables it lacks (releases before
  migrations created the tables they knew, in the first revision's shape);
- a revision: upgraded to the newest, if it is not there.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
)

from notifications.outbox import metadata as outbox_metadata
from notifications.webhooks.tables import metadata as webhooks_metadata
from web.evidence.database import metadata as files_metadata
from web.identity.tables import metadata as accounts_metadata
from web.identity.throttle import metadata as throttle_metadata
from web.ops.audit_requests import metadata as audit_requests_metadata
from web.ops.platform_keys import metadata as platform_keys_metadata
from web.usecases.keys import metadata as request_keys_metadata

logger = logging.getLogger(__name__)

SCRIPTS = Path(__file__).parent / "alembic"
VERSION_TABLE = "app_schema_version"

# Alembic's own version table, declared as Alembic does, so that a new store is
# marked by one insert rather than by running Alembic (a tenth of a second per store).
version_table = Table(
    VERSION_TABLE,
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
)


def app_metadata() -> Sequence[MetaData]:
    """Every app table's declaration (the migrations' target)."""
    return (
        accounts_metadata,
        throttle_metadata,
        outbox_metadata,
        request_keys_metadata,
        audit_requests_metadata,
        files_metadata,
        platform_keys_metadata,
        webhooks_metadata,
    )


def app_table_names() -> set[str]:
    """The names of the app tables, apart from the read models and the log that
    share PostgreSQL's database with them."""
    return {name for metadata in app_metadata() for name in metadata.tables}


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, in code (no ``alembic.ini`` to ship)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise LookupError("no migration found")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the store's app tables are at (None: not marked)."""
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE}
    )
    return context.get_current_revision()


def migrate(engine: Engine) -> str:
    """Bring the app tables to the newest revision (see the module's three cases);
    returns the revision they are at."""
    with engine.begin() as connection:
        # The keys' fingerprints are checked (their table made) before migrating.
        existing = set(inspect(connection).get_table_names()) & (
            app_table_names() - {"platform_keys"}
        )
        revision = current_revision(connection) if existing else None
        if not existing:
            for metadata in app_metadata():
                metadata.create_all(connection)
            version_table.create(connection)
            connection.execute(
                version_table.insert().values(version_num=head_revision())
            )
            return head_revision()
        if revision != head_revision():
            logger.info("migrate.upgrade from=%s to=%s", revision, head_revision())
            command.upgrade(alembic_config(connection), "head")
        return head_revision()
