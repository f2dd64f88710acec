"""State kept in SQL about people: accounts, sessions, second factors, invitation
tokens, calendar feeds, preferences, throttling, erasure and personal-data export.

None of it is event-sourced: it is personal data that must be erasable, or secrets.
"""
