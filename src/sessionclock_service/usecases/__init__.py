"""The service's rules: accounts, codes and API tokens, sign-in and its limits, staff,
subscriptions, entitlement, e-mail.

Each use case is a plain synchronous function taking the assembled `Services` and keyword
arguments (FastAPI runs it in its threadpool, and bcrypt runs on threads of its own,
`passwords`). It opens its own short transactions, `db.read()` for what only reads and
`db.write()` for what changes rows, and runs bcrypt and provider calls outside them, so no lock
is held while a password is hashed or Stripe is asked. Refusals are `ServiceError` subclasses.
Use cases reach the database and the providers, never the HTTP layer.
"""
