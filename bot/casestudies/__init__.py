"""Case studies: members submit write-ups, moderators review them, approval publishes them."""
