"""The web front and the ``consortium`` CLI: the composition root.

Wires the governance service, the read side and the accounts store together; nothing
imports this package.
"""
