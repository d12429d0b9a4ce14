"""The practitioner's account at the hosted service, as the desktop app sees it (no Qt).

``address`` decides which service to talk to, ``client`` speaks its HTTP API, ``credentials``
keeps the sign-in token in the OS key store, ``entitlement`` and ``access`` say what the
practitioner may do now, online or offline.
"""
