"""HTTP routes, one module per topic; each validates, calls one use case and returns a schema."""
