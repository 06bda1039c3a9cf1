"""Posts: members' experience posts as searchable documents, with their privacy rules."""
