"""Django's entry point for the klyngeadmin app's models (accounts, API keys)."""

from klyngeadmin.accounts.models import ApiKey, IdempotencyRecord, UsedSamlAssertion, User

__all__ = ["ApiKey", "IdempotencyRecord", "UsedSamlAssertion", "User"]
