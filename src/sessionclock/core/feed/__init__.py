"""Reading the practitioner's booking feed: fetch (https only), parse (whitelist only), import."""
