"""``admin``: platform administration from the command line."""

from __future__ import annotations

import click

from web.cli.group import Exit, Failure, load_settings, logger, main, open_or_fail


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
    stores = open_or_fail(load_settings())
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
    stores = open_or_fail(load_settings())
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
