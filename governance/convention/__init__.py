"""The convention's documents: letters, agreements, the award, amendments signed.

``values`` holds their words (kinds, signatures), which the read side and the web
use; ``document`` the ``ConventionDocument`` aggregate.
"""
