"""The evidence log's sequencer, and a signed tree head when the log has grown."""

from datetime import datetime

from wage_guard.ledger import sequencer, services


def publish_tree_head(*, now: datetime) -> int | None:
    """Sign the current tree head if there are new entries; returns its size, or None."""
    head = services.publish_tree_head(now=now)
    return head.size if head else None


def integrate_ledger(*, now: datetime) -> int:
    """Move the queued steps into the log (what no request's own sequencing took); returns how many."""
    del now  # entries keep the time their step was logged
    return sequencer.integrate_queued(wait=True)
