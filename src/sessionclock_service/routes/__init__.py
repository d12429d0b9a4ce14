"""HTTP routes, split by topic; each validates, calls one use case and returns a schema."""
