"""Security and operations (issue 9): sessions, second factor, security log, health check,
user deactivation, personal data. See docs/operations.md and docs/personal-data.md."""
