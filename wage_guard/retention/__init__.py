"""Retention: what the platform removes once every period of legal.md §I that covers it has passed (issue 14)."""
