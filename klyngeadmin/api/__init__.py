"""The REST API's shared layer: API keys, authentication, problem+json errors, throttling,
idempotency and the base view every endpoint builds on. App endpoints live in `<app>/api/`."""
