"""Adapters over the HTTP APIs of the service's providers: Stripe (billing) and Resend (e-mail).

Each turns the service's requests into the provider's calls at a configurable base address (so
tests run them against fakes on loopback) and the provider's answers into small values or a
`ServiceError`. They hold no rules and never touch the database, the use cases or the HTTP layer.
"""
