"""Privacy: opt-outs, and the per-service map of member data that export and forget walk."""
