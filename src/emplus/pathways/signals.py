"""Signals of the pathway module for the apps above it (which pathways must not import)."""

from django.dispatch import Signal

# Sent inside participant_erase()'s transaction, after the identity and the pathway's free text
# are gone, with `participant`: apps that keep more records about the person (working life)
# clear their free text in the same transaction.
participant_erased = Signal()
