"""Text for people: cutting to a limit, timestamp markup, country names."""
