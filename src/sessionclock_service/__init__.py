"""Session Clock's hosted account service: accounts, subscriptions, e-mail and an admin area.

The service holds accounts and billing state only. It never stores schedules, client names or
calendar feed addresses, and it never imports the desktop app (the two meet over HTTP).
"""
