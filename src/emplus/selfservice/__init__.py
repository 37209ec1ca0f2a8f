"""Self-service links for participants, attested time, and entries made without a connection."""
