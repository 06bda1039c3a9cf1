"""Text for people, whatever the adapter: cutting to a limit, timestamp markup, country names, the
rows of the knowledge base's statistics."""
