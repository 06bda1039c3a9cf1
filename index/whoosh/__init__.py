"""Everything that knows the search engine is Whoosh."""

from index.whoosh.engine import WhooshEngine

__all__ = ["WhooshEngine"]
