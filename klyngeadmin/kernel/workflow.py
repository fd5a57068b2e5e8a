"""Workflows as data: a transition table (state -> next state, with the guard that decides who
may take the step) that services check before they change a state column, and that pages ask
which steps to offer. See grants.reports.workflows, grants.cases.workflows, evaluations.workflows.

A guard is a `rules` predicate of the actor (klyngeadmin.kernel.predicates: `is_caseworker`,
`is_system`, ...); a set of role names (`roles(...)`) is accepted too and means "the actor has
one of these roles". `step(source, target)` is the predicate "the object is in `source` and
the actor may take it to `target`", for rules permissions, so a page's permission and the
service's check come from the same table."""

from collections.abc import Iterable
from dataclasses import dataclass

import rules

from klyngeadmin.kernel.errors import TransitionNotAllowed
from klyngeadmin.kernel.predicates import has_role, in_role
from klyngeadmin.kernel.roles import SYSTEM

__all__ = ["SYSTEM", "TransitionNotAllowed", "Workflow", "actor_role", "roles"]


def actor_role(actor) -> str:
    """The role a workflow table is asked about: the actor's, or SYSTEM for automatic steps."""
    return SYSTEM if actor is None else actor.role


class _RoleOnly:
    """An actor known only by a role name (callers and tests asking "may a director ...")."""

    is_authenticated = True
    is_active = True

    def __init__(self, role: str):
        self.role = role


def _actor(actor):
    """A table decides by the role the actor acts in (klyngeadmin.predicates.in_role): whether
    a person may use a page at all is the page's permission."""
    if isinstance(actor, str):
        return None if actor == SYSTEM else _RoleOnly(actor)
    return in_role(actor)


_never = rules.predicate(lambda: False, name="never")


@dataclass(frozen=True)
class Workflow:
    name: str
    states: tuple[str, ...]
    # (source, target) -> the guard (a predicate of the actor, or a set of role names)
    transitions: dict[tuple[str, str], object]

    def guard(self, source: str, target: str) -> rules.Predicate:
        value = self.transitions.get((source, target))
        if value is None:
            return _never
        if isinstance(value, rules.Predicate):
            return value
        return has_role(*value)

    def step(self, source: str, target: str) -> rules.Predicate:
        """The predicate (user, obj): obj is in `source` and user may take it to `target`."""
        guard = self.guard(source, target)

        @rules.predicate(name=f"{self.name}:{source}->{target}")
        def in_source(user, obj) -> bool:
            return obj is not None and obj.status == source

        return in_source & guard

    def available(self, source: str, actor) -> list[str]:
        """The steps `actor` (a user, None for the system, or a role name) may take."""
        who = _actor(actor)
        return [t for (s, t) in self.transitions if s == source and self.guard(s, t).test(who)]

    def is_allowed(self, source: str, target: str, actor) -> bool:
        return self.guard(source, target).test(_actor(actor))

    def check(self, source: str, target: str, actor) -> None:
        if not self.is_allowed(source, target, actor):
            role = actor if isinstance(actor, str) or actor is None else actor_role(actor)
            raise TransitionNotAllowed(self.name, source, target, role or SYSTEM)


def roles(*names: Iterable[str] | str) -> frozenset[str]:
    out: set[str] = set()
    for n in names:
        out.update([n] if isinstance(n, str) else n)
    return frozenset(out)
