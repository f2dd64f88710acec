"""Domain errors: raised by aggregates, rules, permissions and the service.

Errors carry identifiers and a stable ``code`` (with parameters), never sentences:
the web layer turns a code into a translated message.
"""

from __future__ import annotations

from typing import Any


class GovernanceError(Exception):
    """Base of every error the governance package raises on purpose."""


class NotFound(GovernanceError):
    """Raised when a thing does not exist or must not be revealed to the actor."""

    def __init__(self, kind: str, identifier: object) -> None:
        super().__init__(f"{kind} {identifier} not found")
        self.kind = kind
        self.identifier = identifier


class NotPermitted(GovernanceError):
    """Raised when the actor's role does not allow the action."""

    def __init__(self, action: str, actor_id: str) -> None:
        super().__init__(f"{actor_id} may not {action}")
        self.action = action
        self.actor_id = actor_id


class RuleViolated(GovernanceError):
    """Raised when the action is not allowed in the current state.

    ``code`` names the rule (``phase.illegal_transition``); ``params`` carry the
    values a message needs (``{"current": "setup", "requested": "closed"}``).
    ``field`` names the one input the rule is about, by the name the command gives
    it (``amount``, ``ends_on``), when there is one: a form shows the refusal next
    to that input. ``None`` for rules about the whole command or the state.
    """

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.field = field
        self.params = params


class Conflict(GovernanceError):
    """Raised when someone else changed the aggregate meanwhile (stale save)."""

    def __init__(self, identifier: object) -> None:
        super().__init__(f"{identifier} changed meanwhile")
        self.identifier = identifier


class AlreadyExists(GovernanceError):
    """Raised when creating something whose identifier is already taken."""

    def __init__(self, identifier: object) -> None:
        super().__init__(f"{identifier} already exists")
        self.identifier = identifier
