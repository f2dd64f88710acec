"""The ``consortium`` command: serve, demo, admin, projections.

Every failure is one sentence on stderr (``Error: …``) and an exit code that says
its kind (``Exit``, documented in the README): a script can tell bad input from a
store out of reach, a verification that failed, or a refusal. No traceback, unless
``--verbose`` asks for one on an unexpected error.
"""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from governance.clock import Clock
from web.faults import classify
from web.ops.in_use import InUse, StoreInUse, hold_shared
from web.ops.storage import StorageError, Stores, open_stores
from web.settings import Settings, SettingsError, trusted_proxies

if TYPE_CHECKING:
    # Imported where used, so that each command loads only what it needs.
    from projections.runtime import Progress
    from web.ops.demo.story import DemoLogin

logger = logging.getLogger(__name__)


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


def _settings() -> Settings:
    """The settings from the environment. The secret key is left to the commands
    that serve (``create_app`` reads or creates it): a command refused early
    creates nothing in the data directory."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise Failure(str(error), Exit.BAD_INPUT) from None


def _open(settings: Settings, clock: Clock | None = None) -> Stores:
    try:
        return open_stores(settings, clock=clock)
    except StorageError as error:
        raise Failure(str(error), Exit.CANNOT_REACH_STORE) from None


@click.group(cls=Commands)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Consortium Ledger: govern project consortia, on the record.

    Exit codes: 0 done, 1 the store does not verify, 2 bad input, 3 the store
    cannot be reached, 4 cannot write, 5 refused (nothing changed), 70 a bug.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


# The lock that marks the store as used by this web process (``web/ops/in_use.py``),
# held until the process ends.
_in_use: list[InUse] = []


def app_factory() -> object:
    """The ASGI app for uvicorn (``serve``, with --reload too, or uvicorn itself).

    Marks the store as in use for as long as the process runs: ``restore`` is
    refused meanwhile.
    """
    from web.app import create_app

    settings = _settings()
    _in_use.append(hold_shared(settings))
    return create_app(settings)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option(
    "--forwarded-allow-ips",
    default=None,
    help="Proxies whose X-Forwarded-For/-Proto are believed, comma-separated "
    "(default: CONSORTIUM_TRUSTED_PROXIES, else none).",
)
def serve(host: str, port: int, reload: bool, forwarded_allow_ips: str | None) -> None:
    """Serve the web application."""
    import uvicorn

    settings = _settings()
    if forwarded_allow_ips is not None:
        try:
            proxies = trusted_proxies(forwarded_allow_ips)
        except SettingsError as error:
            raise Failure(str(error), Exit.BAD_INPUT) from None
    else:
        proxies = settings.trusted_proxies
    if not settings.data_dir.is_absolute():
        logger.warning(
            "serve.relative_data_dir %s: this is %s only when started from here; "
            "set CONSORTIUM_DATA_DIR to an absolute path",
            settings.data_dir,
            settings.data_dir.resolve(),
        )
    _open(settings).close()  # create the stores (and fail clearly) before serving
    # Refused at once, with its reason, while a restore replaces the store.
    hold_shared(settings).release()
    if host not in {
        "127.0.0.1",
        "localhost",
        "::1",
    } and not settings.base_url.startswith("https://"):
        logger.warning("serve.plain_http host=%s: put an https proxy in front", host)
    _check_address(host, port)
    try:
        uvicorn.run(
            "web.cli:app_factory",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            # Without a trusted proxy the headers are ignored: the client address is
            # the connection's (uvicorn would otherwise believe 127.0.0.1 by default).
            proxy_headers=bool(proxies),
            forwarded_allow_ips=list(proxies) or None,
            log_level="info",
        )
    except SystemExit as stopped:
        if stopped.code in (None, 0):
            raise
        # uvicorn exits 3 when it could not start (said in its log above).
        raise Failure(
            f"the server could not start on {host}:{port} (see the log above)",
            Exit.BAD_INPUT,
        ) from None


def _check_address(host: str, port: int) -> None:
    """Refuse at once, in one sentence, an address this process cannot listen on."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Failure(
            f"cannot listen on {host}: {error.strerror}", Exit.BAD_INPUT
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn
        try:
            probe.bind(address)
        except OSError as error:
            raise Failure(
                f"cannot listen on {host}:{port}: "
                f"{(error.strerror or str(error)).lower()}",
                Exit.BAD_INPUT,
            ) from None


@main.command()
def worker() -> None:
    """Follow the event log and run the scheduled jobs (PostgreSQL).

    Keeps the read models caught up and runs the scheduler (votes closing, reminders
    and e-mails, checkpoints, clean-ups); web processes then start no background
    work. Exactly one is needed; a second stands by. Stops cleanly on SIGINT or
    SIGTERM.
    """
    import signal
    import threading

    from notifications.scheduler import start_scheduler, stop_scheduler
    from web.ops.jobs import make_jobs

    settings = _settings()
    in_use = hold_shared(settings)  # restore is refused while the worker runs
    stores = _open(settings)
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        logger.info("worker.stopping signal=%s", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    logger.info("worker.started position=%s", stores.read_side.position())
    jobs = make_jobs(stores, settings)
    scheduler = start_scheduler(jobs, seconds=settings.tick_seconds)
    try:
        stores.read_side.follow(stop)
    finally:
        stop_scheduler(scheduler, jobs)
        stores.close()
        in_use.release()
    logger.info("worker.stopped")


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing if accounts exist already.")
def demo(if_empty: bool) -> None:
    """Load the demo consortium and print its logins.

    Into the store the settings name: `make run` gives the demo a data directory
    of its own (var/demo), away from a real instance's.
    """
    from notifications.checkpoints import load_or_create_key, seal_checkpoint
    from web.ops.demo.load import load_demo
    from web.ops.demo.story import DEMO_LOGINS, SettableClock
    from web.ops.jobs import MAILBOX_FILE

    settings = _settings()
    stores = _open(settings, SettableClock())
    try:
        if stores.accounts.count() > 0:
            if not if_empty:
                raise Failure("the store is not empty: demo not loaded", Exit.REFUSED)
            click.echo("The store is not empty: demo not loaded.")
            # Only the demo logins that work here: on a real store, none.
            _print_logins(
                settings,
                [
                    login
                    for login in DEMO_LOGINS
                    if (account := stores.accounts.by_email(login.email)) is not None
                    and stores.accounts.verify_password(
                        account.account_id, login.password
                    )
                    and not account.disabled
                ],
            )
            return
        load_demo(
            stores,
            today=stores.clock.now().date(),
            mailbox=settings.data_dir / MAILBOX_FILE,
            base_url=settings.base_url,
        )
        # A first signed checkpoint, so financers have one to countersign at once.
        seal_checkpoint(
            stores.governance,
            stores.read_side,
            load_or_create_key(settings.audit_key_path),
        )
        click.echo("Demo consortium loaded.")
        _print_logins(settings, list(DEMO_LOGINS))
    finally:
        stores.close()


def _print_logins(settings: Settings, logins: list[DemoLogin]) -> None:
    if not logins:
        return
    click.echo(f"Demo logins (open {settings.base_url}):")
    for login in logins:
        click.echo(f"  {login.role:<34} {login.email:<28} password: {login.password}")


@main.group()
def admin() -> None:
    """Platform administration."""


@admin.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--password",
    default=None,
    help="Asked for (twice) when not given, which keeps it out of the shell's history.",
)
def admin_create(email: str, name: str, password: str | None) -> None:
    """Create a platform administrator account."""
    from web.forms.members import PASSWORD_MESSAGES
    from web.identity.accounts import AccountRefused, EmailTaken, check_new_account
    from web.identity.passwords import password_problem

    try:
        check_new_account(email, name)
    except AccountRefused as error:
        raise Failure(str(error), Exit.BAD_INPUT) from None
    if password is None:
        password = str(
            click.prompt("Password", hide_input=True, confirmation_prompt=True)
        )
    problem = password_problem(password)
    if problem is not None:
        raise Failure(f"password refused: {PASSWORD_MESSAGES[problem]}", Exit.BAD_INPUT)
    stores = _open(_settings())
    try:
        stores.accounts.create_account(
            email, name, password, is_admin=True, now=stores.clock.now()
        )
    except EmailTaken:
        raise Failure(f"an account for {email} exists already", Exit.REFUSED) from None
    finally:
        stores.close()
    click.echo(f"Administrator {email.strip().lower()} created.")


@admin.command("reset-two-factor")
@click.option("--email", required=True)
@click.confirmation_option(
    prompt="Switch two-step login off for this account and end its sessions?"
)
def admin_reset_two_factor(email: str) -> None:
    """Switch off someone's two-step login: the last resort when their phone and
    their recovery codes are all lost (check who is asking first)."""
    stores = _open(_settings())
    try:
        account = stores.accounts.by_email(email)
        if account is None or not stores.accounts.has_second_factor(account.account_id):
            raise Failure(f"no account with two-step login for {email}", Exit.REFUSED)
        stores.accounts.remove_second_factor(account.account_id)
        stores.accounts.end_sessions(account.account_id, now=stores.clock.now())
    finally:
        stores.close()
    logger.warning("two_factor.reset_by_admin account=%s", account.account_id)
    click.echo(
        f"Two-step login is off for {email}; they log in with their password and "
        "may set it up again."
    )


@main.group()
def projections() -> None:
    """Read models."""


@projections.command("rebuild")
@click.argument("names", nargs=-1)
def rebuild(names: tuple[str, ...]) -> None:
    """Drop and replay the read models (all, or the NAMES given)."""
    stores = _open(_settings())
    try:
        unknown = set(names) - set(stores.read_side.projections)
        if unknown:
            raise Failure(
                f"unknown projection(s) {', '.join(sorted(unknown))}; known: "
                f"{', '.join(stores.read_side.projections)}",
                Exit.BAD_INPUT,
            )
        total = stores.governance.recorder.max_notification_id() or 0
        with click.progressbar(
            length=total, label="Replaying events", file=sys.stderr
        ) as bar:
            done = 0

            def advance(progress: Progress) -> None:
                nonlocal done
                position = progress.position
                bar.update(position - done)
                done = position

            count = stores.read_side.rebuild(list(names) or None, progress=advance)
        click.echo(
            f"Rebuilt {', '.join(names) or 'all read models'} from {count} events."
        )
    finally:
        stores.close()


@main.group()
def audit() -> None:
    """The tamper-evident audit trail: checkpoints and verification."""


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Seal a signed checkpoint of the log now (if it has grown since the last)."""
    from notifications.checkpoints import load_or_create_key, seal_checkpoint

    settings = _settings()
    stores = _open(settings)
    try:
        key = load_or_create_key(settings.audit_key_path)
        created = seal_checkpoint(stores.governance, stores.read_side, key)
    finally:
        stores.close()
    if created is None:
        click.echo("Nothing new since the last checkpoint: none sealed.")
        return
    click.echo(f"Checkpoint {created.id} sealed (key {key.key_id}).")


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint file a financer kept (may be given several times).",
)
def audit_verify(checkpoint_files: tuple[Path, ...]) -> None:
    """Check every stored event against the chain, the checkpoints and the files.

    Exits with 0 when everything matches, 1 when anything was altered, removed,
    inserted, reordered or truncated, 2 when a --checkpoint file is not a
    checkpoint, 3 when the store cannot be read (nothing was checked).
    """
    settings = _settings()
    _check_checkpoint_files(checkpoint_files)
    if not _verify_and_print(settings, checkpoint_files):
        sys.exit(int(Exit.DOES_NOT_VERIFY))


def _check_checkpoint_files(checkpoint_files: tuple[Path, ...]) -> None:
    """Refuse, before reading the store, a file given that is not a checkpoint: the
    wrong file named is a mistake of the command line, not a sign of tampering."""
    from web.ops.audit_verify import NotACheckpoint, read_checkpoint_file

    for path in checkpoint_files:
        try:
            read_checkpoint_file(path)
        except NotACheckpoint as error:
            raise Failure(str(error), Exit.BAD_INPUT) from None


def _verify_and_print(settings: Settings, checkpoint_files: tuple[Path, ...]) -> bool:
    """Run ``audit verify`` on the settings' store, print its report; True if OK.

    A store that cannot be read is a ``Failure`` (cannot check), never "TAMPERED".
    """
    from web.ops.audit_findings import describe
    from web.ops.audit_verify import verify_store

    try:
        report = verify_store(settings, checkpoint_files)
    except FileNotFoundError as error:
        raise Failure(
            f"cannot check: there is no event store at {error}; nothing verified",
            Exit.CANNOT_REACH_STORE,
        ) from None
    except StorageError as error:
        raise Failure(
            f"cannot check: {error}; nothing verified", Exit.CANNOT_REACH_STORE
        ) from None
    except Exception as error:
        if classify(error) != "unavailable":
            raise
        raise Failure(
            f"cannot check: the store cannot be reached ({error}); nothing verified",
            Exit.CANNOT_REACH_STORE,
        ) from None
    for finding in report.findings:
        click.echo(f"FAIL {describe(finding)}")
    if report.findings_total > len(report.findings):
        click.echo(f"… and {report.findings_total - len(report.findings)} more.")
    click.echo(
        f"{report.events} events read in {report.seconds:.2f} s "
        f"({report.events_per_second:,.0f} events/s): {report.chained} compared "
        f"with the chain, {report.unchained} not chained yet, "
        f"{report.checkpoints} checkpoints and {report.evidence_files} attached "
        "files checked."
    )
    if report.ok:
        click.echo("OK: the log matches its chain and every checkpoint.")
        return True
    click.echo(f"TAMPERED: {report.findings_total} problem(s) found.")
    return False


@main.group()
def evidence() -> None:
    """The attached files: remove those no event refers to."""


def _grace(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    from web.ops.evidence_sweep import parse_grace

    try:
        return parse_grace(value)
    except ValueError:
        raise click.BadParameter("write it like 90s, 30m, 24h or 2d") from None


@evidence.command("sweep")
@click.option(
    "--grace",
    default="24h",
    show_default=True,
    callback=_grace,
    help="Keep unreferenced files saved less than this long ago (30m, 24h, 2d).",
)
def evidence_sweep(grace: timedelta) -> None:
    """Remove the attached files that no event of any consortium refers to.

    Reads the whole log first; a file saved within the grace period is kept, since
    a command may be about to record it. Use a grace of 0 only with every server
    and worker stopped.
    """
    from web.evidence.store import EvidenceStore
    from web.ops.evidence_sweep import sweep_evidence

    settings = _settings()
    try:
        report = sweep_evidence(
            settings, EvidenceStore(settings.data_dir / "evidence"), grace=grace
        )
    except (FileNotFoundError, StorageError) as error:
        raise Failure(
            f"cannot read the event store: {error}", Exit.CANNOT_REACH_STORE
        ) from None
    if report.skipped:
        raise Failure(
            "the event log is empty: this is not the store the files belong to; "
            "nothing removed",
            Exit.REFUSED,
        )
    for item in report.removed:
        click.echo(f"removed {item.name} ({item.size} bytes)")
    click.echo(
        f"{report.events} events read: {len(report.removed)} unreferenced files "
        f"removed ({report.removed_bytes:,} bytes), {report.kept_young} kept (saved "
        f"within {grace}), {report.referenced} referenced."
    )


CHECKPOINT_OPTION = click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint file a financer kept (may be given several times).",
)


@main.command()
@click.argument("dest", type=click.Path(path_type=Path))
def backup(dest: Path) -> None:
    """Write a consistent copy of the store into DEST, a new directory.

    Safe while the server runs and writes. DEST holds manifest.json (the SHA-256 of
    every file), the SQLite files (online copies) or a pg_dump of the PostgreSQL
    database, and the attached files. The audit signing key is NOT copied: back it
    up separately.
    """
    from web.ops.backup import BackupError, Timing, create_backup

    settings = _settings()
    timing = Timing()
    try:
        manifest = create_backup(settings, dest, timing=timing)
    except BackupError as error:
        raise _backup_failure(error) from None
    click.echo(
        f"Backup of the {manifest.backend} store written to {dest} in "
        f"{timing.total:.2f} s: {manifest.events} events up to position "
        f"{manifest.last_position}, {manifest.evidence_files} attached files, "
        f"{manifest.total_bytes / 1e6:,.1f} MB."
    )
    key = manifest.audit_key_id or "none yet"
    click.echo(
        f"The audit signing key ({settings.audit_key_path}, key id {key}) is not in "
        "the backup: keep a copy of it separately."
    )


@main.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a store that is not empty (stop every server and worker first).",
)
@CHECKPOINT_OPTION
def restore(src: Path, force: bool, checkpoint_files: tuple[Path, ...]) -> None:
    """Restore the backup in SRC into the (empty) store the settings name.

    Checks every file of the backup against its manifest first, then puts it in
    place and runs the same verification as `audit verify`: exits with 1 when the
    restored store does not verify.
    """
    from web.ops.backup import BackupError, Timing
    from web.ops.restore import key_warning, restore_backup, secrets_key_warning

    settings = _settings()
    _check_checkpoint_files(checkpoint_files)
    timing = Timing()
    try:
        manifest = restore_backup(settings, src, force=force, timing=timing)
    except BackupError as error:
        raise _backup_failure(error) from None
    click.echo(
        f"Restored {manifest.events} events up to position {manifest.last_position} "
        f"and {manifest.evidence_files} attached files from the {manifest.backend} "
        f"backup of {manifest.created_at} in {timing.total:.2f} s. Verifying…"
    )
    for warning in (key_warning(settings, manifest), secrets_key_warning(settings)):
        if warning:
            click.echo(f"WARNING {warning}")
    if not _verify_and_print(settings, checkpoint_files):
        sys.exit(int(Exit.DOES_NOT_VERIFY))


def _backup_failure(error: Exception) -> Failure:
    """A refused backup or restore, with the exit code of its kind."""
    from web.ops.backup import CannotWrite, StoreUnreachable

    if isinstance(error, StoreUnreachable):
        return Failure(str(error), Exit.CANNOT_REACH_STORE)
    if isinstance(error, CannotWrite):
        return Failure(str(error), Exit.CANNOT_WRITE)
    return Failure(str(error), Exit.REFUSED)


@main.command()
@click.option(
    "--events",
    type=click.IntRange(1000, 1_000_000),
    default=10_000,
    show_default=True,
    help="Size of the synthetic history (1000 … 1000000).",
)
@click.option(
    "--database-url",
    default=None,
    help="An empty PostgreSQL database (default: SQLite in --data-dir); what the "
    "run creates in it is dropped at the end, unless --data-dir keeps it.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to build the stores, kept for --reuse (default: a temporary "
    "directory, removed).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench-results.md"),
    show_default=True,
    help="The Markdown tables are written here (docs/performance.md, say): in place "
    "of this backend's and options' section if the file has one, else added.",
)
@click.option("--quick", is_flag=True, help="Few requests per figure (CI smoke run).")
@click.option(
    "--reuse",
    is_flag=True,
    help="Measure again the store an earlier run kept in --data-dir.",
)
@click.option(
    "--skip-scale",
    is_flag=True,
    help="Skip reads over 2 web processes and the concurrent writers (slow).",
)
def bench(
    events: int,
    database_url: str | None,
    data_dir: Path | None,
    output: Path,
    quick: bool,
    reuse: bool,
    skip_scale: bool,
) -> None:
    """Build a synthetic history and measure it against this machine's limits."""
    from web.bench.report import section_key, table, write
    from web.bench.results import Options
    from web.bench.run import run

    if reuse and data_dir is None:
        raise Failure(
            "--reuse needs --data-dir: the directory where an earlier run kept its "
            "store",
            Exit.BAD_INPUT,
        )
    logging.getLogger().setLevel(logging.WARNING)
    results = run(
        Options(
            events=events,
            database_url=database_url,
            data_dir=data_dir,
            output=output,
            quick=quick,
            reuse=reuse,
            skip_scale=skip_scale,
        )
    )
    text = table(results)
    write(output, text, section_key(results))
    click.echo(text)
    click.echo(f"Written to {output}.")
    if data_dir is not None:
        kept = " and the PostgreSQL database" if database_url else ""
        click.echo(
            f"The stores are kept in {data_dir}{kept}: add --reuse to measure them "
            "again."
        )
