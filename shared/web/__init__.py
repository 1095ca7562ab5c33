"""HTTP plumbing every service shares: app factory, errors, auth, idempotency, health."""
