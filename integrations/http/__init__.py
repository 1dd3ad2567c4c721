"""The shared HTTP layer: one client, auth, retries, rate limiting, pagination, errors."""
