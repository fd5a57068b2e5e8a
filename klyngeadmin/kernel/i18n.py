"""Which language a text is in, when the person reading it is not the person acting.

The UI follows the reader (Danish by default, English on request). Two kinds of text are
written once and read later by others, so they cannot simply follow whoever is acting:

- case records (case and report events, case subjects, data-change summaries, decision-letter
  texts): the authority's record, in Danish whatever the UI language - `record_text`;
- notifications: in the recipient's language - `grants.notifications.services.notify` takes callables
  and evaluates them in the recipient's language.
"""

from __future__ import annotations

from django.utils import translation

RECORD_LANGUAGE = "da"


def record_text(message: str, params: dict | None = None) -> str:
    """`message` (a Danish source text) formatted with `params` for a case record: choice
    labels and other lazy texts among the params are rendered in Danish too."""
    with translation.override(RECORD_LANGUAGE):
        if params is None:
            return str(message)
        return str(message) % {key: str(value) for key, value in params.items()}


def in_record_language(value) -> str:
    """A lazy text (a choice label, say) rendered in the record language."""
    with translation.override(RECORD_LANGUAGE):
        return str(value)
