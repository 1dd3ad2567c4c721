"""The sync engine: copies provider records into the hub's tables, page by page."""
