"""The write side of Consortium Ledger: aggregates, events, rules and the service.

Imports only the standard library and ``eventsourcing``; nothing here knows about
SQL read models, HTTP or e-mail.
"""
