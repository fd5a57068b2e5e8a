"""The one error hierarchy. Services raise these; views and the API map them in one place
(klyngeadmin.kernel.error_middleware for pages, klyngeadmin.kernel.api.problems for problem+json).

Every refusal is a Django `ValidationError`, so a form view can show it where it belongs
(`form.add_error(None, exc)`) and code that catches ValidationError keeps catching it; `str()`
is the plain message, and `status` is the HTTP status the API answers with.

    DomainError (400)
    ├── StaleVersion (409)          the object changed since the form or ETag was read
    ├── FourEyesViolation (403)     the proposer tried to approve their own proposal
    ├── ActionRefused (409)         the object's state does not allow the action
    └── TransitionNotAllowed (409)  a workflow table refuses the step for the actor
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DomainError(ValidationError):
    """An action refused by a business rule. The message is Danish source text, translated
    for whoever reads it."""

    default_message = _("Handlingen kan ikke udføres.")
    default_code = "invalid"
    status = 400

    def __init__(self, message=None, *, code: str | None = None, params=None):
        super().__init__(
            self.default_message if message is None else message,
            code=code or self.default_code, params=params,
        )

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)


class StaleVersion(DomainError):
    """The object changed since the form was shown (optimistic locking): nothing was saved."""

    default_message = _(
        "En anden har gemt ændringer, siden du åbnede siden. Dine ændringer er ikke gemt; "
        "genindlæs siden for at se den nyeste udgave."
    )
    default_code = "stale"
    status = 409

    def __init__(self, message=None, *, expected: int | None = None, current: int | None = None):
        self.expected, self.current = expected, current
        super().__init__(message)


class FourEyesViolation(DomainError):
    """The person who proposed a decision tried to approve it too."""

    default_message = _("Afgørelsen skal godkendes af en anden end den, der har indstillet den.")
    default_code = "four_eyes"
    status = 403


class ActionRefused(DomainError):
    """The object's current state does not allow the action (a decided case, a closed call)."""

    default_code = "conflict"
    status = 409


class TransitionNotAllowed(DomainError):
    """A state change the workflow table does not allow for this actor."""

    default_code = "transition_not_allowed"
    status = 409

    def __init__(self, workflow: str, source: str, target: str, role: str | None):
        self.workflow, self.source, self.target, self.role = workflow, source, target, role
        super().__init__(
            gettext("Skiftet fra %(source)s til %(target)s er ikke tilladt for rollen %(role)s.")
            % {"source": source, "target": target, "role": role or "-"}
        )
