"""The HTTP layer: routes by topic, request dependencies, JSON schemas, middleware, admin pages.

Thin on purpose: a route validates its input (schemas and dependencies), calls one use case and
shapes the answer. Refusals raised anywhere below are `ServiceError` subclasses, answered by one
handler (`api.errors`). Rules live in the use cases; nothing here opens a database session.
"""
