"""The command group, its exit codes and the one way a command fails.

Every failure is one sentence on stderr (``Error: …``) and an exit code that says
its kind (``Exit``, documented in the README).
"""

from __future__ import annotations

import logging
import os
from enum import IntEnum
from typing import Any

import click

from governance.clock import Clock
from web.faults import classify
from web.links import PathFor, use_route_table
from web.logs import configure_logging
from web.ops.in_use import StoreInUse
from web.ops.platform_keys import KeyProblem
from web.ops.storage import StorageError, Stores, open_stores
from web.settings import Settings, SettingsError, log_format

# One logger for every command, named as when the CLI was one module.
logger = logging.getLogger("web.cli")


class Exit(IntEnum):
    """The exit codes of every command (the README's table)."""

    OK = 0
    # audit verify, restore: something was altered, removed, inserted or moved.
    DOES_NOT_VERIFY = 1
    # An option, argument, environment variable or file given cannot be used
    # (click's own usage errors are 2 as well).
    BAD_INPUT = 2
    # The store cannot be reached or read: PostgreSQL refuses or does not answer,
    # no event store where the settings point. For audit verify: nothing checked.
    CANNOT_REACH_STORE = 3
    # A file or directory cannot be created or written (permissions, a full disk).
    CANNOT_WRITE = 4
    # Refused by the state of things, nothing changed: the store is not empty, is
    # in use by servers, the account exists or does not, the backup does not match
    # its manifest.
    REFUSED = 5
    # health: the scheduled jobs have not run lately, or their last run failed.
    STOPPED = 6
    # A bug: the message says what, --verbose shows where.
    UNEXPECTED = 70


class Failure(click.ClickException):
    """A command that cannot go on: one sentence, and the exit code of its kind."""

    def __init__(self, message: str, code: Exit) -> None:
        # One line whatever the message came from (a driver's error spans several).
        super().__init__(" ".join(message.split()))
        # click types exit_code as a class variable but reads it from the instance
        # (its own Exit sets it per instance): each failure carries its kind's code.
        self.exit_code = int(code)  # type: ignore[misc]


class Commands(click.Group):
    """The command group: turns what escapes a command into a ``Failure``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            # Just "Error: …": without its context click would print the usage
            # lines and a hint first.
            error.ctx = None
            raise
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except SettingsError as error:
            raise Failure(str(error), Exit.BAD_INPUT) from None
        except StorageError as error:
            raise Failure(str(error), Exit.CANNOT_REACH_STORE) from None
        except StoreInUse as error:
            raise Failure(str(error), Exit.REFUSED) from None
        except KeyProblem as error:
            raise Failure(str(error), Exit.REFUSED) from None
        except Exception as error:
            raise _unexpected(error, verbose=bool(ctx.params["verbose"])) from None


def _unexpected(error: Exception, *, verbose: bool) -> Failure:
    """What an error no command expected becomes: a database fault, a file that
    cannot be written, or a bug (re-raised with its traceback under --verbose)."""
    fault = classify(error)
    if fault == "unavailable":
        return Failure(f"cannot reach the store: {error}", Exit.CANNOT_REACH_STORE)
    if _unreadable_sqlite(error):
        return Failure(f"cannot read the store: {error}", Exit.CANNOT_REACH_STORE)
    if fault is not None:  # "full": a write refused by a full disk
        return Failure(f"cannot write: {error}", Exit.CANNOT_WRITE)
    if isinstance(error, OSError) and not isinstance(error, ConnectionError):
        where = f" {error.filename}" if error.filename else ""
        what = (error.strerror or str(error)).lower()
        return Failure(f"cannot use{where}: {what}", Exit.CANNOT_WRITE)
    if verbose:
        raise error
    logger.debug("cli.unexpected", exc_info=error)
    return Failure(
        f"unexpected error ({type(error).__name__}: {error}); run with --verbose "
        "to see where it happened",
        Exit.UNEXPECTED,
    )


# SQLite's "database disk image is malformed" and "file is not a database": the
# settings point at something that is not (or no longer) a store.
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


def _unreadable_sqlite(error: BaseException) -> bool:
    """Whether ``error`` comes from a SQLite file that is not a readable database."""
    link: BaseException | None = error
    seen: set[int] = set()
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        code = getattr(link, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in {SQLITE_CORRUPT, SQLITE_NOTADB}:
            return True
        link = link.__cause__ or link.__context__
    return False


def load_settings() -> Settings:
    """The settings from the environment. The secret key is left to the commands
    that serve (``create_app`` reads or creates it): a command refused early
    creates nothing in the data directory."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise Failure(str(error), Exit.BAD_INPUT) from None


def open_or_fail(settings: Settings, clock: Clock | None = None) -> Stores:
    """The stores the settings name, or a ``Failure`` saying why they cannot be
    opened."""
    try:
        return open_stores(settings, clock=clock)
    except StorageError as error:
        raise Failure(str(error), Exit.CANNOT_REACH_STORE) from None
    except KeyProblem as error:
        raise Failure(str(error), Exit.REFUSED) from None


@click.group(cls=Commands)
@click.version_option(package_name="consortium-ledger", prog_name="consortium")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Consortium Ledger: govern project consortia, on the record.

    Exit codes: 0 done, 1 the store does not verify, 2 bad input, 3 the store
    cannot be reached, 4 cannot write, 5 refused (nothing changed), 6 the
    scheduled jobs stopped (health), 70 a bug.
    """
    configure_logging(log_format(dict(os.environ)), verbose=verbose)
    # E-mails link to the app's pages by route name; loaded only if one is sent.
    use_route_table(_app_route_table)


def _app_route_table() -> PathFor:
    from web.app import route_table

    return route_table()
