"""Syncing with the practitioner's other devices: the worker that keeps the open account in step,
and the flow that runs it for whichever account is shown.
"""
