"""The settings several hosts need: pool sizes, session lifetime, file store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from anyio.to_thread import current_default_thread_limiter
from starlette.testclient import TestClient

from web.app import create_app
from web.ops.storage import open_stores
from web.settings import Settings, SettingsError


def test_pool_sizes_and_the_session_lifetime_are_read_from_the_environment(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env(
        {
            "CONSORTIUM_DATA_DIR": str(tmp_path),
            "CONSORTIUM_POOL_SIZE": "3",
            "CONSORTIUM_POOL_OVERFLOW": "0",
            "CONSORTIUM_SESSION_HOURS": "2",
            "CONSORTIUM_WEB_THREADS": "3",
            "CONSORTIUM_WEB_PROCESSES": "4",
        }
    )
    defaults = Settings.from_env({"CONSORTIUM_DATA_DIR": str(tmp_path)})

    assert (settings.pool_size, settings.pool_overflow) == (3, 0)
    assert settings.session_hours == 2
    assert (settings.web_threads, defaults.web_threads) == (3, 2)
    assert (settings.web_processes, defaults.web_processes) == (4, 1)
    assert (defaults.pool_size, defaults.pool_overflow, defaults.session_hours) == (
        5,
        10,
        12,
    )


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("CONSORTIUM_POOL_SIZE", "0", "CONSORTIUM_POOL_SIZE must be a whole number"),
        ("CONSORTIUM_POOL_OVERFLOW", "-1", "CONSORTIUM_POOL_OVERFLOW must be a whole"),
        ("CONSORTIUM_WEB_THREADS", "0", "CONSORTIUM_WEB_THREADS must be a whole"),
        ("CONSORTIUM_WEB_PROCESSES", "0", "CONSORTIUM_WEB_PROCESSES must be a whole"),
        (
            "CONSORTIUM_WEB_PROCESSES",
            "6400",
            "CONSORTIUM_WEB_PROCESSES must be at most",
        ),
        (
            "CONSORTIUM_SESSION_HOURS",
            "half",
            "CONSORTIUM_SESSION_HOURS must be a whole",
        ),
    ],
)
def test_an_unusable_value_is_refused_with_its_name(
    name: str, value: str, said: str
) -> None:
    with pytest.raises(SettingsError, match=said):
        Settings.from_env({name: value})


@pytest.mark.postgres
def test_each_pool_of_a_process_has_the_size_the_settings_give(
    tmp_path: Path, postgres_url: str
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=postgres_url,
        secret_key="k",
        pool_size=2,
        pool_overflow=1,
        session_hours=3,
    )

    stores = open_stores(settings)
    try:
        tables = stores.accounts.engine.pool
        events = stores.governance.recorder.datastore.pool

        assert (tables.size(), tables._max_overflow) == (2, 1)  # type: ignore[attr-defined]
        assert (events.min_size, events.max_size) == (2, 3)
        assert stores.accounts.sessions.lifetime == timedelta(hours=3)
    finally:
        stores.close()


@pytest.mark.parametrize("threads", [1, 3])
def test_a_web_process_runs_as_many_requests_at_once_as_the_settings_say(
    tmp_path: Path, threads: int
) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key="k", scheduler=False, web_threads=threads
    )

    with TestClient(create_app(settings)) as client:
        # The event loop's own limiter, which every synchronous endpoint waits on.
        tokens = client.portal.call(current_default_thread_limiter)
        assert tokens.total_tokens == threads
        assert client.get("/login").status_code == 200
