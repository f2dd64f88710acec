"""The accounts store: its parts over one engine, under the names call sites use.

Each part owns its tables and their SQL (accounts, sessions, pending logins, reset
links, second factor, invitation tokens, calendar feeds, preferences). The
store is given the process's clock and hands it to the throttle, which times
attempts, reset links, pending logins and codes with it (tests may give the throttle
a clock of its own and move it by hand). ``Accounts`` holds no SQL of its own: it
builds the parts and gives their methods the names the routes and the jobs have
always called; new code may as well use a part directly.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from governance.clock import Clock, SystemClock
from web.identity.accounts import AccountStore
from web.identity.api_tokens import ApiTokenStore
from web.identity.calendar_feeds import CalendarFeedStore
from web.identity.invitations import InvitationStore
from web.identity.password_resets import PasswordResetStore
from web.identity.passwords import PasswordChecks, Passwords
from web.identity.pending_logins import PendingLoginStore
from web.identity.preferences import PreferenceStore
from web.identity.second_factor import SecondFactorStore, seal_clear_secrets
from web.identity.secret_box import SecretBox
from web.identity.sessions import SessionStore
from web.identity.tables import metadata
from web.identity.throttle import Throttle


class Accounts:
    """The accounts store over one SQLAlchemy engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        time_cost: int = 3,
        memory_kib: int = 65536,
        session_hours: int = 12,
        secrets_box: SecretBox,
        password_checks: PasswordChecks | None = None,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        # Seals TOTP secrets with a key kept outside the database.
        self.box = secrets_box
        # Counts failed attempts; its clock also times reset links and TOTP codes.
        self.throttle = Throttle(engine, self.clock)
        self.passwords = Passwords(
            time_cost=time_cost, memory_kib=memory_kib, checks=password_checks
        )
        self.people = AccountStore(engine, self.passwords)
        self.sessions = SessionStore(engine, timedelta(hours=session_hours))
        self.pending = PendingLoginStore(engine, self.throttle.now)
        self.resets = PasswordResetStore(
            engine, self.passwords, self.throttle, self.clock
        )
        self.factors = SecondFactorStore(engine, secrets_box, self.throttle.now)
        self.invitations = InvitationStore(engine)
        self.feeds = CalendarFeedStore(engine)
        self.prefs = PreferenceStore(engine)
        # Personal access tokens for the JSON API.
        self.api_tokens = ApiTokenStore(engine)

        # The time for throttling, reset links and codes (tests move it by hand).
        self.now = self.throttle.now
        self.session_lifetime = self.sessions.lifetime
        # Accounts.
        self.create_account = self.people.create_account
        self.authenticate = self.people.authenticate
        self.by_email = self.people.by_email
        self.by_id = self.people.by_id
        self.names = self.people.names
        self.is_erased = self.people.is_erased
        self.emails = self.people.emails
        self.count = self.people.count
        self.set_disabled = self.people.set_disabled
        self.listed = self.people.listed
        self.end_sessions = self.people.end_sessions
        self.change_password = self.people.change_password
        self.verify_password = self.people.verify_password
        # Sessions and half-finished logins.
        self.open_session = self.sessions.open_session
        self.session = self.sessions.session
        self.close_session = self.sessions.close_session
        self.purge_sessions = self.sessions.purge_sessions
        self.begin_pending_login = self.pending.begin_pending_login
        self.pending_login = self.pending.pending_login
        self.end_pending_login = self.pending.end_pending_login
        # Password reset links.
        self.new_reset_token = self.resets.new_reset_token
        self.reset_account = self.resets.reset_account
        self.reset_password = self.resets.reset_password
        # The second factor.
        self.second_factor = self.factors.second_factor
        self.has_second_factor = self.factors.has_second_factor
        self.start_second_factor = self.factors.start_second_factor
        self.use_code = self.factors.use_code
        self.use_second_factor = self.factors.use_second_factor
        self.use_recovery_code = self.factors.use_recovery_code
        self.new_recovery_codes = self.factors.new_recovery_codes
        self.recovery_codes_left = self.factors.recovery_codes_left
        self.remove_second_factor = self.factors.remove_second_factor
        # Invitation tokens and calendar feeds.
        self.store_invitation = self.invitations.store_invitation
        self.invitation = self.invitations.invitation
        self.invitation_emails = self.invitations.invitation_emails
        self.use_invitation = self.invitations.use_invitation
        self.new_calendar_token = self.feeds.new_calendar_token
        self.calendar_account = self.feeds.calendar_account
        self.has_calendar_feed = self.feeds.has_calendar_feed
        # Preferences.
        self.preferences = self.prefs.preferences
        self.update_preferences = self.prefs.update_preferences
        self.recipients = self.prefs.recipients

    @property
    def verifications(self) -> int:
        """How many password hashes were verified (tests compare the counts)."""
        return self.passwords.verifications

    def create_tables(self) -> None:
        """Create missing tables and seal secrets kept in clear (idempotent)."""
        metadata.create_all(self.engine)
        self.throttle.create_tables()
        seal_clear_secrets(self.engine, self.box)
