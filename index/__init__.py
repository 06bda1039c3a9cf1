"""The knowledge base: documents in, ranked answers out. Nothing here knows about Discord."""
