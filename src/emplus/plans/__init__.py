"""Action plans whose goals read their progress from the platform's live indicators."""
