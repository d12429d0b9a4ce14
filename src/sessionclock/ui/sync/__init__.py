"""The calendar: connecting it, the sync worker thread, the review of changes and the background
check.
"""
