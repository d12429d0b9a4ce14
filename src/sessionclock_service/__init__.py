"""Session Clock's hosted account service: accounts, subscriptions, e-mail and an admin area.

The service holds accounts and billing state only. It never stores schedules, client names or
calendar feed addresses, and it never imports the desktop app (the two meet over HTTP).

Its layers import one way (import-linter holds it):

- ``api``: HTTP only (routes by topic, dependencies, schemas, middleware, admin pages);
- ``usecases``: the rules (accounts, codes and tokens, sign-in and its limits, password hashing,
  staff, subscriptions, entitlement, e-mail, operations);
- ``integrations`` (Stripe, Resend) and ``db`` (engine, tables, migrations), which know nothing
  of each other nor of the layers above;
- beneath them all ``settings``, ``clock``, ``security``, ``errors`` and ``logs``.

``app`` builds the layers into a service and ``__main__`` is the command line.
"""
