"""The collaboration registry: who works with whom, under what agreement, where and on what."""
