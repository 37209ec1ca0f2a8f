"""Skills needs, the course catalogue and staff competence in the social economy."""
