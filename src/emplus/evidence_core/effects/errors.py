"""Errors raised by the effect-estimation core: every one carries a message fit for a user."""


class EffectInputError(ValueError):
    """The table or the requested estimate cannot be used; the message says why."""
