"""The ``consortium`` command: serve, demo, admin, projections."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from governance.clock import Clock
from web.ops.storage import StorageError, open_stores
from web.settings import Settings, SettingsError, trusted_proxies
from web.stores import Stores

if TYPE_CHECKING:
    # Imported where used, so that each command loads only what it needs.
    from projections.runtime import Progress
    from web.ops.demo.story import DemoLogin

logger = logging.getLogger(__name__)


def _settings() -> Settings:
    try:
        return Settings.from_env().with_secret()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def _open(settings: Settings, clock: Clock | None = None) -> Stores:
    try:
        return open_stores(settings, clock=clock)
    except StorageError as error:
        raise click.ClickException(str(error)) from None


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Consortium Ledger: govern project consortia, on the record."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


def app_factory() -> object:
    """The ASGI app for uvicorn (used with --reload)."""
    from web.app import create_app

    return create_app(_settings())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
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
            raise click.ClickException(str(error)) from None
    else:
        proxies = settings.trusted_proxies
    _open(settings).close()  # create the stores (and fail clearly) before serving
    if host not in {
        "127.0.0.1",
        "localhost",
        "::1",
    } and not settings.base_url.startswith("https://"):
        logger.warning("serve.plain_http host=%s: put an https proxy in front", host)
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


@main.command()
def worker() -> None:
    """Keep the read models caught up by following the event log (PostgreSQL).

    Web processes then start no background work; scheduled jobs of later issues run
    here too. Stops cleanly on SIGINT or SIGTERM.
    """
    import signal
    import threading

    from notifications.scheduler import start_scheduler, stop_scheduler
    from web.ops.jobs import make_jobs

    settings = _settings()
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
    logger.info("worker.stopped")


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing if accounts exist already.")
def demo(if_empty: bool) -> None:
    """Load the demo consortium and print its logins."""
    from notifications.checkpoints import load_or_create_key, seal_checkpoint
    from web.ops.demo.load import load_demo
    from web.ops.demo.story import DEMO_LOGINS, SettableClock
    from web.ops.jobs import MAILBOX_FILE

    settings = _settings()
    stores = _open(settings, SettableClock())
    try:
        if stores.accounts.count() > 0:
            if if_empty:
                click.echo("The store is not empty: demo not loaded.")
                _print_logins(DEMO_LOGINS)
                return
            raise click.ClickException("The store is not empty: demo not loaded.")
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
        _print_logins(DEMO_LOGINS)
    finally:
        stores.close()


def _print_logins(logins: tuple[DemoLogin, ...]) -> None:
    click.echo("Demo logins (open http://127.0.0.1:8000):")
    for login in logins:
        click.echo(f"  {login.role:<34} {login.email:<28} password: {login.password}")


@main.group()
def admin() -> None:
    """Platform administration."""


@admin.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Display name.")
@click.password_option(help="Asked for when not given.")
def admin_create(email: str, name: str, password: str) -> None:
    """Create a platform administrator account."""
    from web.forms.fields import LINE_BREAK
    from web.identity.accounts import EmailTaken
    from web.identity.passwords import password_problem

    if LINE_BREAK.search(name.strip()):
        raise click.ClickException("the name must fit on one line")
    problem = password_problem(password)
    if problem is not None:
        raise click.ClickException(f"password refused: {problem}")
    stores = _open(_settings())
    try:
        stores.accounts.create_account(
            email, name, password, is_admin=True, now=stores.clock.now()
        )
    except EmailTaken:
        raise click.ClickException(f"an account for {email} exists already") from None
    finally:
        stores.close()
    click.echo(f"Administrator {email} created.")


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
            raise click.ClickException(f"no account with two-step login for {email}")
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
            raise click.ClickException(
                f"unknown projection(s) {', '.join(sorted(unknown))}; known: "
                f"{', '.join(stores.read_side.projections)}"
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
    inserted, reordered or truncated.
    """
    if not _verify_and_print(_settings(), checkpoint_files):
        sys.exit(1)


def _verify_and_print(settings: Settings, checkpoint_files: tuple[Path, ...]) -> bool:
    """Run ``audit verify`` on the settings' store, print its report; True if OK."""
    from web.ops.audit_findings import describe
    from web.ops.audit_verify import verify_store

    try:
        report = verify_store(settings, checkpoint_files)
    except (FileNotFoundError, StorageError) as error:
        raise click.ClickException(f"cannot read the event store: {error}") from None
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
        raise click.ClickException(f"cannot read the event store: {error}") from None
    if report.skipped:
        raise click.ClickException(
            "the event log is empty: this is not the store the files belong to; "
            "nothing removed."
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
        raise click.ClickException(str(error)) from None
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
    timing = Timing()
    try:
        manifest = restore_backup(settings, src, force=force, timing=timing)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {manifest.events} events up to position {manifest.last_position} "
        f"and {manifest.evidence_files} attached files from the {manifest.backend} "
        f"backup of {manifest.created_at} in {timing.total:.2f} s. Verifying…"
    )
    for warning in (key_warning(settings, manifest), secrets_key_warning(settings)):
        if warning:
            click.echo(f"WARNING {warning}")
    if not _verify_and_print(settings, checkpoint_files):
        sys.exit(1)


@main.command()
@click.option(
    "--events",
    type=click.IntRange(1000, 1_000_000),
    default=10_000,
    show_default=True,
    help="Size of the synthetic history (10000 … 1000000).",
)
@click.option(
    "--database-url",
    default=None,
    help="An empty PostgreSQL database (default: SQLite in --data-dir).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to build the stores (default: a temporary directory, removed).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench-results.md"),
    show_default=True,
    help="The Markdown table is written here.",
)
@click.option("--quick", is_flag=True, help="Few requests per figure (CI smoke run).")
@click.option(
    "--reuse", is_flag=True, help="Reuse a store built earlier in --data-dir."
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
    from web.bench.report import table
    from web.bench.results import Options
    from web.bench.run import run

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
    output.write_text(text, encoding="utf-8")
    click.echo(text)
    click.echo(f"Written to {output}.")
