"""Workflows as data: a transition table (state -> next state, with the roles allowed) that
services check before they change a state column. See grants.workflows for the tables."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

SYSTEM = "system"  # the role of automatic steps (a withdrawal cancelling reports, a tick)


class TransitionNotAllowed(Exception):
    """A state change the workflow does not allow for this role (a typed error for callers)."""

    def __init__(self, workflow: str, source: str, target: str, role: str | None):
        self.workflow, self.source, self.target, self.role = workflow, source, target, role
        super().__init__(
            _("Skiftet fra %(source)s til %(target)s er ikke tilladt for rollen %(role)s.")
            % {"source": source, "target": target, "role": role or "-"}
        )


@dataclass(frozen=True)
class Workflow:
    name: str
    states: tuple[str, ...]
    # (source, target) -> roles allowed
    transitions: dict[tuple[str, str], frozenset[str]]

    def available(self, source: str, role: str | None) -> list[str]:
        return [t for (s, t), roles in self.transitions.items() if s == source and role in roles]

    def is_allowed(self, source: str, target: str, role: str | None) -> bool:
        return role in self.transitions.get((source, target), frozenset())

    def check(self, source: str, target: str, role: str | None) -> None:
        if not self.is_allowed(source, target, role):
            raise TransitionNotAllowed(self.name, source, target, role)


def roles(*names: Iterable[str] | str) -> frozenset[str]:
    out: set[str] = set()
    for n in names:
        out.update([n] if isinstance(n, str) else n)
    return frozenset(out)
