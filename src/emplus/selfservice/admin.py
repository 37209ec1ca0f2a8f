"""No administration pages: links, hours and attestations are personal data, reached only
through the scoped pages and API (as for the pathway module)."""
