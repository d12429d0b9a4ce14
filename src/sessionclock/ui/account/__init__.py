"""The account at the service: signing in and out, the subscription, devices, privacy."""
