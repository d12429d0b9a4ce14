"""Reading the practitioner's booking feed: fetch (https only), parse (whitelist only), import."""

MAX_FEED_BYTES = 20_000_000
"""The largest feed read, from an address or a file (decompressed): 150,000 events or so."""
