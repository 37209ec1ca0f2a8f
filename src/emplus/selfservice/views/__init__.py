"""Pages of the self-service app, by family: the coach's links, attested time, the offline
queue, and the participant's public link page."""
