"""Sessions: the schedule, its dates, run-time changes, announcements, reminders, calendars, events."""
