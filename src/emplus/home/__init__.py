"""The start page: what the signed-in user works with, from several apps (it sits above them)."""
