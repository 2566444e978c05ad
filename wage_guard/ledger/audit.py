"""``ledger verify``: recompute the whole tree from the stored entries and check everything stored against it.

It checks, in order: sequence numbers without gaps; each entry's leaf hash against its content; every stored
subtree hash; the state row's size; every tree head's signature and root; and consistency between consecutive
tree heads. It names the first bad entry it can pin down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.ledger import merkle, services
from wage_guard.ledger.models import LedgerEntry, LedgerNode, TreeHead

#: How precisely a kind of problem points at an entry: an entry's own content beats a leaf node, which beats a
#: higher subtree hash, which beats a tree head (which can only name the range since the previous head).
ENTRY, LEAF_NODE, SUBTREE, TREE_HEAD = range(4)


@dataclass
class AuditResult:
    entries: int = 0
    tree_heads: int = 0
    problems: list[str] = field(default_factory=list)
    _suspects: list[tuple[int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        """The first bad entry according to the most precise kind of evidence found."""
        if not self._suspects:
            return None
        precision = min(rank for rank, _seq in self._suspects)
        return min(seq for rank, seq in self._suspects if rank == precision)

    def bad(self, seq: int, message: str, precision: int = ENTRY) -> None:
        self.problems.append(message)
        self._suspects.append((precision, seq))


def verify_all() -> AuditResult:
    """Recompute and compare everything; an empty problem list means the log is intact."""
    result = AuditResult()
    tree = merkle.MemoryNodes()
    expected = 0
    for entry in db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)).yield_per(2000):
        if entry.seq != expected:
            result.bad(expected, f"entry {expected} is missing (the next stored entry is {entry.seq})")
            break
        leaf = merkle.leaf_hash(services.entry_bytes(entry))
        if leaf.hex() != entry.leaf_hash:
            result.bad(entry.seq, f"entry {entry.seq} was changed: its content no longer matches its leaf hash")
        tree.append_leaf(leaf)
        expected += 1
    result.entries = expected
    _check_nodes(tree, result)
    _check_state(expected, result)
    _check_heads(tree, result)
    return result


def _check_nodes(tree: merkle.MemoryNodes, result: AuditResult) -> None:
    for node in db.session.scalars(sa.select(LedgerNode).order_by(LedgerNode.level, LedgerNode.index)).yield_per(5000):
        first_leaf = node.index << node.level
        try:
            recomputed = tree.get(node.level, node.index)
        except (KeyError, IndexError, LookupError):
            result.bad(
                first_leaf,
                f"a stored subtree hash covers entry {first_leaf}, which is not in the log",
                LEAF_NODE if node.level == 0 else SUBTREE,
            )
            continue
        if bytes(node.hash) != recomputed:
            result.bad(
                first_leaf,
                f"the stored subtree hash from entry {first_leaf} (level {node.level}) does not match",
                LEAF_NODE if node.level == 0 else SUBTREE,
            )


def _check_state(count: int, result: AuditResult) -> None:
    state_size = services.size()
    if state_size != count:
        result.bad(min(state_size, count), f"the log's size is {state_size} but {count} consecutive entries are stored")


def _check_heads(tree: merkle.MemoryNodes, result: AuditResult) -> None:
    keys = services.public_keys()
    previous: TreeHead | None = None
    for head in db.session.scalars(sa.select(TreeHead).order_by(TreeHead.size)):
        result.tree_heads += 1
        start = previous.size if previous else 0
        as_json = services.tree_head_json(head)
        if head.key_id not in keys or not services.head_signature_ok(as_json, keys[head.key_id]):
            result.bad(start, f"the signature of the tree head of size {head.size} is not valid", TREE_HEAD)
        if head.size > tree.size or tree.root(head.size).hex() != head.root_hash:
            result.bad(start, f"the tree head of size {head.size} does not match entries {start} to {head.size - 1}", TREE_HEAD)
        elif previous is not None:
            proof = merkle.consistency_proof(tree, previous.size, head.size)
            old_root, new_root = bytes.fromhex(previous.root_hash), bytes.fromhex(head.root_hash)
            if not merkle.verify_consistency(previous.size, head.size, old_root, new_root, proof):
                result.bad(start, f"tree heads {previous.size} and {head.size} are not consistent", TREE_HEAD)
        previous = head
