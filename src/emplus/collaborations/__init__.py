"""The collaboration registry: who collaborates with whom, under what agreement, where and on what."""
