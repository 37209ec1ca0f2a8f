"""The in-platform user guide at /help/: one help section per page, Swedish and English."""
