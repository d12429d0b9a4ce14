"""One day on every device: the practitioner's devices share sessions, the calendar connection
and preferences through the account service, which only ever holds sealed records (no Qt).

``keys`` (device key pairs, the account's data key per epoch, key envelopes), ``recovery`` (the
printable recovery code), ``pairing`` (the commit-then-reveal exchange and its six-digit code),
``hlc`` (the hybrid logical clock that versions records), ``records`` (what a record says and how
it is sealed), ``merge`` (how two versions of a record become one), ``engine`` (what a sync
changes, as pure functions) and ``api`` (the service's device, key and sync routes).
``docs/devices.md`` explains the whole in the practitioner's and a reviewer's terms.
"""
