"""The read side: SQL read models fed from the event log, and their queries.

Read models are disposable: they can be dropped and rebuilt from the log at any
time. Nothing here issues commands.
"""
