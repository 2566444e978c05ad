"""The ledger's Merkle tree: Certificate Transparency's tree (RFC 6962 §2.1, unchanged in RFC 9162 §2.1).

Why this tree: a worker, inspector or court can check that one ledger entry is in the log (inclusion proof)
and that today's log still contains yesterday's (consistency proof) from a few dozen hashes, with verifiers
that already exist for CT logs. Why it is pure: the same code must run in the web app, in ``flask ledger
verify``, in tests and in an auditor's script, so it knows nothing of Flask or the database.

Why it stores complete subtrees: recomputing MTH from the entries costs O(n) per proof, which is seconds at
millions of entries. Every *complete, aligned* subtree (level ``L``, index ``i`` covers leaves
``[i * 2**L, (i + 1) * 2**L)``) never changes once its last leaf is appended, so its hash is stored once:
appending leaf ``n`` adds ``(0, n)`` and, while the index is odd, the parent - ``1 + trailing ones of n`` rows
(:func:`new_nodes`), about two per entry. Any range that starts at a multiple of the largest power of two
not above its length is then the right fold of at most ``log2(n)`` stored nodes, and every range PATH and
PROOF ask for has that shape (each split point ``start + k`` is a multiple of ``k``, and the right part is
no longer than ``k``), so a proof, a root or a historical root costs O(log n) lookups and hashes.

Sources: a :class:`NodeSource` answers ``get(level, index)``; one that also has ``get_many`` (a DB-backed
store: one ``WHERE (level, index) IN (...)`` query) is asked once per root or proof for all the keys it
needs. :class:`MemoryNodes` is the in-memory store for tests and benchmarks.

Verification (:func:`verify_inclusion`, :func:`verify_consistency`) follows RFC 9162 §2.1.3.2 and §2.1.4.2
and uses only the proof, never the tree. It returns False, never raises, for any malformed input, and first
checks the exact proof length, as transparency-dev/merkle does: the RFC steps would reject a wrong length
anyway, but a public endpoint should not hash a million-element "proof" to find that out.

A proof binds the *root*, not the size by itself: the leaf-0 proof for 5 leaves also verifies against the
5-leaf root claimed for 6 leaves (a verifier cannot tell a leaf hash from a two-leaf subtree hash), and a
4 -> 5 consistency proof likewise checks as 4 -> 6 with the same roots. Always verify against a (size,
root) pair that was itself computed or signed (a signed tree head), never against a size alone.

JSON: proofs travel as lists of lowercase hex strings (:func:`encode_proof`), as in RFC 6962's
``get-proof-by-hash`` except that CT uses base64; hex reads and diffs well in the inspector pages and logs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

#: ``(level, index)`` of a complete, aligned subtree.
Key = tuple[int, int]
#: ``(start, end)``: the leaves ``D[start:end]``.
Range = tuple[int, int]

HASH_SIZE = 32
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256

#: MTH({}) = SHA-256 of the empty string (RFC 6962 §2.1).
EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


class NodeSource(Protocol):
    """Read access to stored complete-subtree hashes."""

    def get(self, level: int, index: int) -> bytes:
        """Hash of the complete subtree ``(level, index)``; raise LookupError (e.g. KeyError) if it is not stored."""
        ...


@runtime_checkable
class BatchNodeSource(NodeSource, Protocol):
    """A :class:`NodeSource` that can fetch many nodes in one round trip (a database)."""

    def get_many(self, keys: list[Key]) -> dict[Key, bytes]:
        """Hashes of all ``keys`` (distinct, in no particular order); a missing key may be left out (KeyError later)."""
        ...


def new_nodes(index: int, leaf: bytes, get: Callable[[int, int], bytes]) -> list[tuple[int, int, bytes]]:
    """The ``(level, index, hash)`` rows that appending leaf number ``index`` with leaf hash ``leaf`` completes.

    ``get`` reads already stored nodes; only the left siblings ``(level, i - 1)`` along the way are read.
    """
    rows = [(0, index, leaf)]
    level, position, current = 0, index, leaf
    while position & 1:
        current = node_hash(get(level, position - 1), current)
        level += 1
        position >>= 1
        rows.append((level, position, current))
    return rows


def subtree_root(source: NodeSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) from stored complete subtrees (EMPTY_ROOT for an empty range).

    O(log n) lookups when ``start`` is a multiple of the largest power of two <= ``end - start`` (roots, and
    every range a proof needs); otherwise the RFC recursion runs down to the aligned pieces (correct, slower).
    """
    _check_range(start, end)
    if start == end:
        return EMPTY_ROOT
    return _range_hash(start, end, _fetch(source, _range_keys(start, end)))


def root(source: NodeSource, size: int) -> bytes:
    """MTH of the first ``size`` leaves: the current root, or any earlier one (stored subtrees never change)."""
    return subtree_root(source, 0, size)


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1, leaf side first. ValueError unless 0 <= index < size."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    return _hash_ranges(source, _path_ranges(index, size))


def consistency_proof(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2; [] when old_size is 0 or equal to new_size.

    ValueError unless 0 <= old_size <= new_size.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove consistency from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    return _hash_ranges(source, _proof_ranges(old_size, new_size))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf *hash* ``leaf`` (``leaf_hash(entry)``) at ``index`` under ``root``?"""
    if not (_is_hash(leaf) and _is_hash(root) and _is_count(index) and _is_count(size)) or index >= size:
        return False
    if not _is_proof(proof, _inclusion_length(index, size)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree ``(new_size, new_root)`` extends ``(old_size, old_root)``?

    Equal sizes need an empty proof and equal roots; old size 0 needs an empty proof and ``old_root == EMPTY_ROOT``.
    """
    if not (_is_hash(old_root) and _is_hash(new_root) and _is_count(old_size) and _is_count(new_size)):
        return False
    if old_size > new_size:
        return False
    if old_size == new_size:
        return _is_proof(proof, 0) and old_root == new_root
    if old_size == 0:
        return _is_proof(proof, 0) and old_root == EMPTY_ROOT
    if not _is_proof(proof, _consistency_length(old_size, new_size)):
        return False
    return _replay_consistency(old_size, new_size, old_root, new_root, proof)


def encode_proof(proof: Iterable[bytes]) -> list[str]:
    """Proof hashes as lowercase hex strings, for JSON."""
    return [node.hex() for node in proof]


def decode_proof(encoded: object) -> list[bytes]:
    """Inverse of :func:`encode_proof`; ValueError unless a list of 64-digit hex strings (either case)."""
    if not isinstance(encoded, list):
        raise ValueError("a proof is a list of hex strings")
    nodes = []
    for item in encoded:
        if not (isinstance(item, str) and len(item) == 2 * HASH_SIZE and all(c in _HEX_DIGITS for c in item)):
            raise ValueError(f"not a {HASH_SIZE}-byte hex hash: {item!r}")
        nodes.append(bytes.fromhex(item))
    return nodes


class MemoryNodes:
    """An in-memory :class:`NodeSource`: one bytearray of 32-byte slots per level (~64 bytes per leaf). Not thread-safe."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = []
        self._size = 0

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    @property
    def node_count(self) -> int:
        """Complete subtrees stored (just under two per leaf: 2n - popcount(n))."""
        return sum(len(slots) for slots in self._levels) // HASH_SIZE

    def get(self, level: int, index: int) -> bytes:
        if 0 <= level < len(self._levels) and index >= 0:
            offset = index * HASH_SIZE
            slots = self._levels[level]
            if offset < len(slots):
                return bytes(slots[offset : offset + HASH_SIZE])
        raise KeyError((level, index))

    def append(self, entry: bytes) -> int:
        """Append an entry (hashed with :func:`leaf_hash`); returns its leaf index."""
        return self.append_leaf(leaf_hash(entry))

    def append_leaf(self, leaf: bytes) -> int:
        """Append an already computed 32-byte leaf hash; returns its leaf index."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf)}")
        index = self._size
        for level, _, node in new_nodes(index, leaf, self.get):
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += node
        self._size = index + 1
        return index

    def root(self, size: int | None = None) -> bytes:
        """Root of the whole tree, or of its first ``size`` leaves."""
        return root(self, self._size if size is None else size)


# --- ranges: which stored nodes make up MTH(D[start:end]) ---------------------------------------------------


def _split(n: int) -> int:
    """k of RFC 6962: the largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_aligned(start: int, end: int) -> bool:
    """True when MTH(D[start:end]) is the right fold of stored nodes (its blocks are aligned)."""
    return start % (1 << ((end - start).bit_length() - 1)) == 0


def _blocks(start: int, end: int) -> list[Key]:
    """The complete subtrees of an aligned range, largest (leftmost) first: the binary digits of its length."""
    keys = []
    while start < end:
        level = (end - start).bit_length() - 1
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def _range_keys(start: int, end: int) -> list[Key]:
    """Every stored node MTH(D[start:end]) needs (non-empty range)."""
    if _is_aligned(start, end):
        return _blocks(start, end)
    middle = start + _split(end - start)
    return _range_keys(start, middle) + _range_keys(middle, end)


def _range_hash(start: int, end: int, nodes: dict[Key, bytes]) -> bytes:
    """MTH(D[start:end]) from prefetched ``nodes``, following the same split as :func:`_range_keys`."""
    if not _is_aligned(start, end):
        middle = start + _split(end - start)
        return node_hash(_range_hash(start, middle, nodes), _range_hash(middle, end, nodes))
    blocks = _blocks(start, end)
    current = nodes[blocks[-1]]
    for key in reversed(blocks[:-1]):
        current = node_hash(nodes[key], current)
    return current


def _fetch(source: NodeSource, keys: list[Key]) -> dict[Key, bytes]:
    """All ``keys`` from ``source``: one ``get_many`` call if it has one, else one ``get`` per key."""
    distinct = list(dict.fromkeys(keys))
    if isinstance(source, BatchNodeSource):
        return source.get_many(distinct)
    return {key: source.get(*key) for key in distinct}


def _hash_ranges(source: NodeSource, ranges: list[Range]) -> list[bytes]:
    """MTH of each ``(start, end)`` range, with all stored nodes fetched at once."""
    nodes = _fetch(source, [key for start, end in ranges for key in _range_keys(start, end)])
    return [_range_hash(start, end, nodes) for start, end in ranges]


def _path_ranges(index: int, size: int) -> list[Range]:
    """The ``(start, end)`` ranges whose MTHs form PATH(index, D[0:size]), leaf side first."""
    ranges = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    ranges.reverse()
    return ranges


def _proof_ranges(old_size: int, new_size: int) -> list[Range]:
    """The ranges whose MTHs form PROOF(old_size, D[0:new_size]) = SUBPROOF(m, D[0:n], true), deepest first."""
    ranges = []
    start, end, complete = 0, new_size, True
    while old_size - start != end - start:
        middle = start + _split(end - start)
        if old_size <= middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start, complete = middle, False
    if not complete:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def _check_range(start: int, end: int) -> None:
    if not 0 <= start <= end:
        raise ValueError(f"bad leaf range [{start}, {end})")


# --- verification helpers -----------------------------------------------------------------------------------


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_proof(value: object, length: int) -> bool:
    """A list of exactly ``length`` 32-byte hashes (the length is checked before any element)."""
    return isinstance(value, list) and len(value) == length and all(_is_hash(node) for node in value)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _inclusion_length(index: int, size: int) -> int:
    """Length of PATH(index, D[0:size]): levels below the split from the last leaf, plus the left border."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _consistency_length(old_size: int, new_size: int) -> int:
    """Length of PROOF(old_size, D[0:new_size]) for 0 < old_size < new_size (as in transparency-dev/merkle)."""
    shift = (old_size & -old_size).bit_length() - 1
    seed = 0 if old_size == 1 << shift else 1
    return seed + _inclusion_length(old_size - 1, new_size) - shift


def _replay_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """Steps 2-7 of RFC 9162 §2.1.4.2 (0 < old_size < new_size, non-empty proof)."""
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else proof
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
