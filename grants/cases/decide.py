"""The case page's "Afgør sagen" (action `afgoer`): one service that picks how a case with a
written decision is decided, by its type, so the view only calls it.

    case_decide_any(case, actor, text, expected_version)
        - a conditions case (its conditions found not met, after the hearing):
          grants.cases.conditions.conditions_decide (head of office, four eyes, the withdrawal);
        - any other case decided by a text (an evaluation, a complaint, an award case):
          grants.cases.services.case_decide, which refuses the types decided by their own
          actions (an annual report, an extension, an application)."""

from __future__ import annotations

from grants.cases.conditions import conditions_decide
from grants.cases.models import Case
from grants.cases.services import case_decide
from grants.constants import CaseType


def case_decide_any(*, case: Case, actor, text: str, expected_version: int | None = None) -> Case:
    decide = conditions_decide if case.case_type == CaseType.CONDITIONS else case_decide
    return decide(case=case, actor=actor, text=text, expected_version=expected_version)
