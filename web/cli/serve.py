"""``serve`` and ``worker``: the processes that run the application."""

from __future__ import annotations

import os

import click

from web.cli.group import Exit, Failure, load_settings, logger, main, open_or_fail
from web.ops.in_use import InUse, hold_shared
from web.settings import MAX_WEB_PROCESSES, SettingsError, trusted_proxies

# The lock that marks the store as used by this web process (``web/ops/in_use.py``),
# held until the process ends.
_in_use: list[InUse] = []


def app_factory() -> object:
    """The ASGI app for uvicorn (``serve``, with --reload too, or uvicorn itself).

    Marks the store as in use for as long as the process runs: ``restore`` is
    refused meanwhile.
    """
    from web.app import create_app
    from web.logs import configure_logging_once

    settings = load_settings()
    # Again here: with --reload, or under uvicorn itself, this is a new process.
    configure_logging_once(settings.log_format)
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
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, MAX_WEB_PROCESSES),
    help="Web processes on this port, one per core at most (default: "
    "CONSORTIUM_WEB_PROCESSES, else 1).",
)
def serve(
    host: str,
    port: int,
    reload: bool,
    forwarded_allow_ips: str | None,
    workers: int | None,
) -> None:
    """Serve the web application."""
    import uvicorn

    settings = load_settings()
    processes = workers or settings.web_processes
    if reload and processes > 1:
        raise Failure(
            "--reload restarts one process: serve with one web process "
            "(--workers 1, CONSORTIUM_WEB_PROCESSES=1) or without --reload",
            Exit.BAD_INPUT,
        )
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
    # Create the stores (and fail clearly) before serving.
    open_or_fail(settings).close()
    # Refused at once, with its reason, while a restore replaces the store.
    hold_shared(settings).release()
    if host not in {
        "127.0.0.1",
        "localhost",
        "::1",
    } and not settings.base_url.startswith("https://"):
        logger.warning("serve.plain_http host=%s: put an https proxy in front", host)
    _check_address(host, port)
    if reload:
        from web.app import RELOAD_TEMPLATES

        # Read by the app in uvicorn's reloading child (it inherits the environment).
        os.environ[RELOAD_TEMPLATES] = "1"
    try:
        uvicorn.run(
            "web.cli:app_factory",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            # Each process builds its own app (``app_factory``): the read models,
            # sessions and read-your-writes cookie are shared through the stores.
            workers=processes,
            # Without a trusted proxy the headers are ignored: the client address is
            # the connection's (uvicorn would otherwise believe 127.0.0.1 by default).
            proxy_headers=bool(proxies),
            forwarded_allow_ips=list(proxies) or None,
            log_level="info",
            # Its lines go through ours (``web/logs.py``): one format, and the
            # request's id on every line, the access line included.
            log_config=None,
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

    settings = load_settings()
    in_use = hold_shared(settings)  # restore is refused while the worker runs
    if not settings.base_url:
        # Its e-mails have no request to take the public address from.
        logger.warning(
            "worker.base_url_unset: links in e-mails point to %s; "
            "set CONSORTIUM_BASE_URL",
            settings.link_base_url,
        )
    stores = open_or_fail(settings)
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
