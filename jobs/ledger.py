"""Publish a signed tree head when the evidence log has grown."""

from datetime import datetime

from wage_guard.ledger import services


def publish_tree_head(*, now: datetime) -> int | None:
    """Sign the current tree head if there are new entries; returns its size, or None."""
    head = services.publish_tree_head(now=now)
    return head.size if head else None
