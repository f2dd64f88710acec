"""``demo``: load the demo consortium and print its logins."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from web.cli.group import Exit, Failure, load_settings, main, open_or_fail

if TYPE_CHECKING:
    from web.ops.demo.story import DemoLogin
    from web.settings import Settings


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

    settings = load_settings()
    stores = open_or_fail(settings, SettableClock())
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
            base_url=settings.link_base_url,
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
    click.echo(f"Demo logins (open {settings.link_base_url}):")
    for login in logins:
        click.echo(f"  {login.role:<34} {login.email:<28} password: {login.password}")
