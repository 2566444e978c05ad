"""RFC 6962 Merkle tree: published vectors, a naive reference written from the RFC, and properties.

The reference (``mth``, ``path``, ``proof``) transcribes RFC 6962 §2.1 literally on tuples of entries; it
knows nothing of stored subtrees, so agreeing with it checks the decomposition in ``merkle`` independently.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wage_guard.ledger import merkle
from wage_guard.ledger.merkle import MemoryNodes


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: the Merkle module is pure (no app, database or clock to reset)."""


# --- the naive reference: RFC 6962 §2.1 as written -----------------------------------------------------------


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@lru_cache(maxsize=1 << 16)
def mth(d: tuple[bytes, ...]) -> bytes:
    """MTH(D[n])."""
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    """PATH(m, D[n])."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def proof(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    return subproof(m, d, True)


def subproof(m: int, d: tuple[bytes, ...], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def build(entries: tuple[bytes, ...]) -> MemoryNodes:
    nodes = MemoryNodes()
    for entry in entries:
        nodes.append(entry)
    return nodes


def trees(min_size: int = 1, max_size: int = 300) -> st.SearchStrategy[tuple[bytes, ...]]:
    """Random distinct entries: a uniformly drawn size (lists alone stay short), random bytes plus the position."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.lists(st.binary(max_size=6), min_size=n, max_size=n).map(
            lambda parts: tuple(part + i.to_bytes(2, "big") for i, part in enumerate(parts))
        )
    )


def flip(value: bytes, bit: int) -> bytes:
    """``value`` with one bit inverted."""
    data = bytearray(value)
    data[(bit // 8) % len(data)] ^= 1 << (bit % 8)
    return bytes(data)


# --- published vectors (certificate-transparency / transparency-dev test data) -------------------------------

#: The eight leaves of the reference implementations' test vectors.
VECTOR_ENTRIES = (
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
)

#: Roots of the first 1..8 vector leaves (index 0 is the empty tree).
VECTOR_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

H_0_1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"  # leaf 1
H_2_4 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"  # MTH(D[2:4])
H_4_8 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"  # MTH(D[4:8])
H_4_6 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"  # MTH(D[4:6])
H_6_8 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"  # MTH(D[6:8])
H_5 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"  # leaf 5

VECTOR_INCLUSION = [
    (0, 8, [H_0_1, H_2_4, H_4_8]),
    (5, 8, [H_4_6, H_6_8, VECTOR_ROOTS[4]]),
    (2, 3, [VECTOR_ROOTS[2]]),
    (1, 5, [VECTOR_ROOTS[1], H_2_4, H_4_6]),
]

VECTOR_CONSISTENCY = [
    (1, 1, []),
    (1, 8, [H_0_1, H_2_4, H_4_8]),
    (6, 8, [H_5, H_6_8, VECTOR_ROOTS[4]]),
    (2, 5, [H_2_4, H_4_6]),
]


def test_empty_root_is_sha256_of_nothing() -> None:
    assert merkle.EMPTY_ROOT.hex() == VECTOR_ROOTS[0]
    assert merkle.root(MemoryNodes(), 0) == merkle.EMPTY_ROOT
    assert MemoryNodes().root() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_root_matches_published_vectors(size: int) -> None:
    nodes = build(VECTOR_ENTRIES[:size])
    assert nodes.root().hex() == VECTOR_ROOTS[size]
    assert build(VECTOR_ENTRIES).root(size).hex() == VECTOR_ROOTS[size]
    assert mth(VECTOR_ENTRIES[:size]).hex() == VECTOR_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), VECTOR_INCLUSION)
def test_inclusion_proof_matches_published_vectors(index: int, size: int, expected: list[str]) -> None:
    nodes = build(VECTOR_ENTRIES)
    got = merkle.inclusion_proof(nodes, index, size)
    assert merkle.encode_proof(got) == expected
    assert got == path(index, VECTOR_ENTRIES[:size])
    leaf = merkle.leaf_hash(VECTOR_ENTRIES[index])
    assert merkle.verify_inclusion(leaf, index, size, got, bytes.fromhex(VECTOR_ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "expected"), VECTOR_CONSISTENCY)
def test_consistency_proof_matches_published_vectors(old: int, new: int, expected: list[str]) -> None:
    nodes = build(VECTOR_ENTRIES)
    got = merkle.consistency_proof(nodes, old, new)
    assert merkle.encode_proof(got) == expected
    assert got == (proof(old, VECTOR_ENTRIES[:new]) if old != new else [])
    assert merkle.verify_consistency(old, new, bytes.fromhex(VECTOR_ROOTS[old]), bytes.fromhex(VECTOR_ROOTS[new]), got)


def test_naive_reference_agrees_with_hashes_spelled_out() -> None:
    """The reference itself, on 3 leaves: node(node(l0, l1), l2)."""
    leaves = [merkle.leaf_hash(e) for e in VECTOR_ENTRIES[:3]]
    assert mth(VECTOR_ENTRIES[:3]) == merkle.node_hash(merkle.node_hash(leaves[0], leaves[1]), leaves[2])
    assert merkle.leaf_hash(b"") == bytes.fromhex(VECTOR_ROOTS[1])


# --- new_nodes and the store ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2, 3, 6, 7, 8, 15, 1023, 1024])
def test_new_nodes_completes_one_plus_trailing_ones(index: int) -> None:
    stored = {(level, i): bytes([level]) * 32 for level in range(12) for i in range(index + 1)}
    rows = merkle.new_nodes(index, b"\xaa" * 32, lambda level, i: stored[(level, i)])
    trailing_ones = len(bin(index)) - len(bin(index).rstrip("1"))
    assert len(rows) == 1 + trailing_ones
    assert [(level, i) for level, i, _ in rows] == [(level, index >> level) for level in range(len(rows))]
    assert rows[0][2] == b"\xaa" * 32


def test_new_nodes_reads_only_left_siblings() -> None:
    reads: list[tuple[int, int]] = []
    nodes = build(tuple(bytes([i]) for i in range(7)))

    def get(level: int, index: int) -> bytes:
        reads.append((level, index))
        return nodes.get(level, index)

    merkle.new_nodes(7, merkle.leaf_hash(b"x"), get)
    assert reads == [(0, 6), (1, 2), (2, 0)]


@given(st.one_of(trees(min_size=0), st.lists(st.sampled_from([b"", b"a", b"\x00"]), max_size=70).map(tuple)))
@settings(max_examples=40, deadline=None)
def test_incremental_roots_equal_naive_mth_for_every_prefix(entries: tuple[bytes, ...]) -> None:
    """Distinct entries of any size up to 300, and short runs of repeated entries."""
    nodes = MemoryNodes()
    for size, entry in enumerate(entries, start=1):
        assert nodes.append(entry) == size - 1
        assert nodes.size == size
        assert nodes.root() == mth(tuple(entries[:size]))
        assert nodes.node_count == 2 * size - size.bit_count()
    for size in range(len(entries) + 1):  # earlier roots stay answerable: complete subtrees never change
        assert merkle.root(nodes, size) == mth(tuple(entries[:size]))


def test_subtree_root_of_every_range_equals_naive_mth() -> None:
    """Every [start, end) of 37 leaves, including the unaligned ones (the slow path) proofs never ask for."""
    entries = tuple(bytes([i]) for i in range(37))
    nodes = build(entries)
    for start in range(38):
        for end in range(start, 38):
            assert merkle.subtree_root(nodes, start, end) == mth(entries[start:end]), (start, end)


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 2)])
def test_subtree_root_rejects_bad_ranges(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="bad leaf range"):
        merkle.subtree_root(build((b"a", b"b", b"c")), start, end)


@given(st.lists(st.binary(max_size=4), min_size=1, max_size=64), st.data())
@settings(max_examples=60, deadline=None)
def test_subtree_root_of_any_range_equals_naive_mth(entries: list[bytes], data: st.DataObject) -> None:
    """Including unaligned ranges (the slow path), which proofs never ask for."""
    start = data.draw(st.integers(0, len(entries)))
    end = data.draw(st.integers(start, len(entries)))
    assert merkle.subtree_root(build(tuple(entries)), start, end) == mth(tuple(entries[start:end]))


def test_store_rejects_missing_nodes_and_bad_leaves() -> None:
    nodes = build((b"a", b"b", b"c"))
    for level, index in [(0, 3), (1, 1), (2, 0), (0, -1), (-1, 0), (5, 0)]:
        with pytest.raises(KeyError):
            nodes.get(level, index)
    with pytest.raises(KeyError):
        merkle.root(nodes, 4)
    with pytest.raises(ValueError, match="32 bytes"):
        nodes.append_leaf(b"short")
    assert nodes.append_leaf(merkle.leaf_hash(b"d")) == 3
    assert nodes.root() == mth((b"a", b"b", b"c", b"d"))


class CountingBatch:
    """A BatchNodeSource that records its round trips, as a database-backed store would make them."""

    def __init__(self, nodes: MemoryNodes) -> None:
        self.nodes = nodes
        self.calls: list[list[tuple[int, int]]] = []

    def get(self, level: int, index: int) -> bytes:
        raise AssertionError("get_many should be used")

    def get_many(self, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        self.calls.append(keys)
        return {key: self.nodes.get(*key) for key in keys}


def test_batched_source_is_asked_once_per_proof() -> None:
    entries = tuple(str(i).encode() for i in range(1000))
    source = CountingBatch(build(entries))
    assert isinstance(source, merkle.BatchNodeSource)
    assert merkle.inclusion_proof(source, 617, 1000) == path(617, entries)
    assert merkle.consistency_proof(source, 333, 1000) == proof(333, entries)
    assert merkle.root(source, 999) == mth(entries[:999])
    assert len(source.calls) == 3
    assert all(len(keys) == len(set(keys)) <= 2 * 10 for keys in source.calls)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (3, 3), (-1, 3)])
def test_inclusion_proof_rejects_index_outside_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_proof(build((b"a", b"b", b"c")), index, size)


@pytest.mark.parametrize(("old", "new"), [(4, 3), (-1, 3)])
def test_consistency_proof_rejects_shrinking(old: int, new: int) -> None:
    with pytest.raises(ValueError, match="cannot prove"):
        merkle.consistency_proof(build((b"a", b"b", b"c")), old, new)


@pytest.mark.parametrize(("old", "new"), [(0, 0), (0, 3), (3, 3)])
def test_consistency_proof_is_empty_from_nothing_or_to_itself(old: int, new: int) -> None:
    assert merkle.consistency_proof(build((b"a", b"b", b"c")), old, new) == []


# --- properties: proofs equal the reference, verify, and fail when anything changes -------------------------


@given(trees(), st.data())
@settings(max_examples=60, deadline=None)
def test_every_inclusion_proof_matches_reference_and_verifies(entries: tuple[bytes, ...], data: st.DataObject) -> None:
    d = entries
    nodes = build(d)
    size = data.draw(st.integers(1, len(d)), label="size")
    root = mth(d[:size])
    for index in range(size):
        got = merkle.inclusion_proof(nodes, index, size)
        assert got == path(index, d[:size])
        assert merkle.verify_inclusion(merkle.leaf_hash(d[index]), index, size, got, root)


@given(trees(), st.data())
@settings(max_examples=60, deadline=None)
def test_every_consistency_proof_matches_reference_and_verifies(entries: tuple[bytes, ...], data: st.DataObject) -> None:
    d = entries
    nodes = build(d)
    new = data.draw(st.integers(1, len(d)), label="new")
    pairs = [(old, new) for old in range(new + 1)]
    pairs += data.draw(st.lists(st.tuples(st.integers(0, len(d)), st.integers(0, len(d))), max_size=30), label="pairs")
    for old, new_size in pairs:
        old, new_size = min(old, new_size), max(old, new_size)
        got = merkle.consistency_proof(nodes, old, new_size)
        assert got == ([] if old in (0, new_size) else proof(old, d[:new_size]))
        assert merkle.verify_consistency(old, new_size, mth(d[:old]), mth(d[:new_size]), got)


@given(trees(), st.data())
@settings(max_examples=100, deadline=None)
def test_inclusion_verification_fails_when_anything_changes(entries: tuple[bytes, ...], data: st.DataObject) -> None:
    d = entries
    size = data.draw(st.integers(1, len(d)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = mth(d[:size])
    leaf = merkle.leaf_hash(d[index])
    good = path(index, d[:size])
    bit = data.draw(st.integers(0, 255), label="bit")
    assert merkle.verify_inclusion(leaf, index, size, good, root)

    assert not merkle.verify_inclusion(merkle.leaf_hash(d[index] + b"!"), index, size, good, root)
    assert not merkle.verify_inclusion(flip(leaf, bit), index, size, good, root)
    assert not merkle.verify_inclusion(leaf, index, size, good, flip(root, bit))
    for position in range(len(good)):
        tampered = good.copy()
        tampered[position] = flip(tampered[position], bit)
        assert not merkle.verify_inclusion(leaf, index, size, tampered, root)
    for other in {0, index - 1, index + 1, size - 1, size, size + 5} - {index}:
        assert not merkle.verify_inclusion(leaf, other, size, good, root)
    if good:
        assert not merkle.verify_inclusion(leaf, index, size, good[:-1], root)
        assert not merkle.verify_inclusion(leaf, index, size, good[1:], root)
    assert not merkle.verify_inclusion(leaf, index, size, [*good, root], root)
    assert not merkle.verify_inclusion(leaf, index, size, [leaf, *good], root)


@given(trees(min_size=2), st.data())
@settings(max_examples=100, deadline=None)
def test_inclusion_verification_fails_for_another_size_and_its_root(entries: tuple[bytes, ...], data: st.DataObject) -> None:
    """A proof for (index, size) does not verify against the real root of any other size (unless the proofs coincide)."""
    d = entries
    size = data.draw(st.integers(1, len(d)), label="size")
    other = data.draw(st.integers(1, len(d)).filter(lambda n: n != size), label="other")
    index = data.draw(st.integers(0, min(size, other) - 1), label="index")
    good = path(index, d[:size])
    verified = merkle.verify_inclusion(merkle.leaf_hash(d[index]), index, other, good, mth(d[:other]))
    assert verified == (good == path(index, d[:other]))


def test_inclusion_proof_binds_the_root_not_the_size() -> None:
    """RFC 9162 property, pinned so nobody relies on the size alone: the 5-leaf proof of leaf 0 also checks as
    "size 6" against the 5-leaf root (its last element could be a 2-leaf subtree), but never against the real
    6-leaf root. Callers must verify against a (size, root) pair they trust."""
    d = VECTOR_ENTRIES[:6]
    good = path(0, d[:5])
    leaf = merkle.leaf_hash(d[0])
    assert merkle.verify_inclusion(leaf, 0, 6, good, mth(d[:5]))
    assert not merkle.verify_inclusion(leaf, 0, 6, good, mth(d[:6]))


@given(trees(min_size=2), st.data())
@settings(max_examples=100, deadline=None)
def test_consistency_verification_fails_when_anything_changes(entries: tuple[bytes, ...], data: st.DataObject) -> None:
    d = entries
    new = data.draw(st.integers(2, len(d)), label="new")
    old = data.draw(st.integers(1, new - 1), label="old")
    old_root, new_root = mth(d[:old]), mth(d[:new])
    good = proof(old, d[:new])
    bit = data.draw(st.integers(0, 255), label="bit")
    assert merkle.verify_consistency(old, new, old_root, new_root, good)

    assert not merkle.verify_consistency(old, new, flip(old_root, bit), new_root, good)
    assert not merkle.verify_consistency(old, new, old_root, flip(new_root, bit), good)
    assert not merkle.verify_consistency(old, new, new_root, old_root, good)
    for position in range(len(good)):
        tampered = good.copy()
        tampered[position] = flip(tampered[position], bit)
        assert not merkle.verify_consistency(old, new, old_root, new_root, tampered)
    assert not merkle.verify_consistency(old, new, old_root, new_root, good[:-1])
    assert not merkle.verify_consistency(old, new, old_root, new_root, good[1:])
    assert not merkle.verify_consistency(old, new, old_root, new_root, [*good, new_root])
    assert not merkle.verify_consistency(old, new, old_root, new_root, [old_root, *good])
    assert not merkle.verify_consistency(new, old, new_root, old_root, good)
    for other_old, other_new in [(old - 1, new), (old + 1, new), (old, new - 1), (old, new + 1)]:
        if 0 < other_old < other_new <= len(d):
            # Against the true roots of the other sizes: fails unless that pair's proof happens to be identical.
            verified = merkle.verify_consistency(other_old, other_new, mth(d[:other_old]), mth(d[:other_new]), good)
            assert verified == (good == proof(other_old, d[:other_new]))


@given(st.lists(st.binary(max_size=4), min_size=1, max_size=40))
def test_equal_and_empty_sizes_need_empty_proofs(entries: list[bytes]) -> None:
    d = tuple(entries)
    n, root = len(d), mth(d)
    assert merkle.verify_consistency(n, n, root, root, [])
    assert not merkle.verify_consistency(n, n, root, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_consistency(n, n, root, root, [root])
    assert merkle.verify_consistency(0, n, merkle.EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(0, n, root, root, [])
    assert not merkle.verify_consistency(0, n, merkle.EMPTY_ROOT, root, [root])


# --- malformed input: False, never an exception --------------------------------------------------------------

H = b"\x11" * 32
MALFORMED_INCLUSION = [
    (H, 0, 0, [], H),  # empty tree has no leaves
    (H, 1, 1, [], H),  # index == size
    (H, -1, 1, [], H),
    (H, 0, -1, [], H),
    (H, 0, 1, [], b"\x11" * 31),  # short root
    (b"entry, not its hash", 0, 1, [], H),
    (H, 0, 2, [b"\x00" * 33], H),
    (H, 0, 2, ["11" * 32], H),
    (H, 0, 2, None, H),
    (H, 0, 2, (H,), H),  # a tuple is not a list
    (H, "0", 1, [], H),
    (H, 0, 1.0, [], H),
    (H, True, 2, [H], H),
    (H, 0, 1, [], None),
]


@pytest.mark.parametrize("args", MALFORMED_INCLUSION)
def test_verify_inclusion_returns_false_on_malformed_input(args: tuple[object, ...]) -> None:
    assert merkle.verify_inclusion(*args) is False  # type: ignore[arg-type]


def test_single_leaf_tree_verifies_with_empty_proof() -> None:
    assert merkle.verify_inclusion(H, 0, 1, [], H) is True
    assert merkle.verify_inclusion(H, 0, 1, [H], H) is False


MALFORMED_CONSISTENCY = [
    (2, 1, H, H, [H]),
    (-1, 2, H, H, []),
    (1, 2, H, H, []),  # 0 < old < new needs a proof
    (1, 2, H, b"\x11", [H]),
    (1, 2, H, H, [b"\x11"]),
    (1, 2, H, H, None),
    ("1", 2, H, H, [H]),
    (1, 2.0, H, H, [H]),
    (False, 2, merkle.EMPTY_ROOT, H, []),
]


@pytest.mark.parametrize("args", MALFORMED_CONSISTENCY)
def test_verify_consistency_returns_false_on_malformed_input(args: tuple[object, ...]) -> None:
    assert merkle.verify_consistency(*args) is False  # type: ignore[arg-type]


@given(
    st.binary(min_size=0, max_size=40),
    st.integers(-3, 1 << 70),
    st.integers(-3, 1 << 70),
    st.lists(st.binary(min_size=31, max_size=33), max_size=70),
    st.binary(min_size=31, max_size=33),
)
def test_verify_never_raises(leaf: bytes, a: int, b: int, nodes: list[bytes], root: bytes) -> None:
    assert merkle.verify_inclusion(leaf, a, b, nodes, root) in (True, False)
    assert merkle.verify_consistency(a, b, leaf, root, nodes) in (True, False)


# --- JSON encoding -------------------------------------------------------------------------------------------


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=40))
def test_encode_decode_round_trip(nodes: list[bytes]) -> None:
    encoded = merkle.encode_proof(nodes)
    assert all(item == item.lower() and len(item) == 64 for item in encoded)
    assert merkle.decode_proof(encoded) == nodes
    assert merkle.decode_proof([item.upper() for item in encoded]) == nodes


@pytest.mark.parametrize(
    "bad",
    [None, "ab" * 32, {"0": "ab" * 32}, ["ab" * 31], ["ab" * 33], ["zz" * 32], ["ab " * 21 + "a"], [b"\xab" * 32], [7]],
)
def test_decode_proof_rejects_malformed(bad: object) -> None:
    with pytest.raises(ValueError, match="proof|hex"):
        merkle.decode_proof(bad)
