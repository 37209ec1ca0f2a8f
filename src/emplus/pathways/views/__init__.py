"""The pathway pages, one module per page family (see urls.py for the routes)."""
