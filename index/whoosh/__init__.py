"""Everything that knows the search engine is Whoosh."""
