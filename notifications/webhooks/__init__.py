"""Webhooks: the steps of a consortium POSTed, signed, to the addresses its
coordinator (or a financer, for their portfolio) registered.

``tables`` declares the app tables, ``addresses`` decides which addresses may be
called, ``signing`` the signature scheme, ``store`` the subscriptions and the
deliveries' outbox, ``intake`` turns the history into deliveries, ``sender`` makes
the HTTP calls and ``pipeline`` runs both from the scheduler.
"""
