"""Reminders and e-mail: the reminder policy, scheduler ticks and the outbox sender.

Empty until the reporting issue adds them; may import ``governance`` and
``projections``, never ``web``.
"""
