"""The TLS and proxy settings every https request of the app uses (calendar feeds, the account
service)."""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import Mapping

import certifi


def tls_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """Return a verifying TLS context: ``SSL_CERT_FILE`` when set, otherwise certifi's bundle."""
    cafile = environ.get("SSL_CERT_FILE") or certifi.where()
    return ssl.create_default_context(cafile=cafile)


def https_proxy(host: str, proxies: Mapping[str, str] | None = None) -> str | None:
    """Return the proxy URL this computer is set to use for https to *host*, or ``None``.

    *proxies* are the settings as :func:`urllib.request.getproxies` reads them (the system's
    settings, and ``HTTPS_PROXY``/``ALL_PROXY``); ``NO_PROXY`` and the system's exceptions are
    honoured. Only https goes through a proxy: the tunnel keeps TLS end to end, so the proxy sees
    the host and never what is sent.
    """
    settings = urllib.request.getproxies() if proxies is None else proxies
    proxy = settings.get("https") or settings.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"
