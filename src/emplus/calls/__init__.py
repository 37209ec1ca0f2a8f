"""Funding calls and the consortia the partnership drafts for them."""
