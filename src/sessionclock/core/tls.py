"""The TLS settings every https request of the app uses (calendar feeds, the account service)."""

from __future__ import annotations

import ssl
from collections.abc import Mapping

import certifi


def tls_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """Return a verifying TLS context: ``SSL_CERT_FILE`` when set, otherwise certifi's bundle."""
    cafile = environ.get("SSL_CERT_FILE") or certifi.where()
    return ssl.create_default_context(cafile=cafile)
