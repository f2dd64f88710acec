"""Merkle tree heads as RFC 6962 (Certificate Transparency) defines them.

A checkpoint summarises the whole log in one 32-byte root, so that a financer who
kept it can later tell whether any event up to it was changed, removed, added or
moved. The hashing is the RFC's, so any independent implementation agrees:

- leaf hash: ``SHA-256(0x00 || leaf)``;
- node hash: ``SHA-256(0x01 || left || right)``;
- a tree of ``n > 1`` leaves splits at ``k``, the largest power of two below ``n``;
- the empty tree's head is ``SHA-256("")``.

``merkle_root`` is the RFC's recursive definition, kept as the reference;
``MerkleAccumulator`` computes the same head in one pass with O(log n) memory (it
keeps one subtree root per bit of the leaf count), which is what the verifier and
the checkpoint sealer use on long logs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || leaf)``."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` at least 2)."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The tree head of ``leaves`` by the RFC's recursive definition (reference)."""
    return _root_of_hashes([leaf_hash(leaf) for leaf in leaves])


def _root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = split_point(n)
    return node_hash(_root_of_hashes(hashes[:k]), _root_of_hashes(hashes[k:]))


class MerkleAccumulator:
    """The RFC 6962 tree head of a stream of leaves, in O(log n) memory.

    After ``n`` leaves the stack holds the roots of the perfect subtrees that the
    binary decomposition of ``n`` gives, largest (leftmost) first. Folding them from
    the right reproduces the RFC's split at the largest power of two.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, subtree root)

    def add(self, leaf: bytes) -> None:
        """Append one leaf (its raw data, hashed here as a leaf)."""
        self.add_hash(leaf_hash(leaf))

    def add_hash(self, hashed_leaf: bytes) -> None:
        """Append one leaf already hashed with ``leaf_hash``."""
        size, node = 1, hashed_leaf
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            size, node = left_size + size, node_hash(left, node)
        self._stack.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        """The tree head of the leaves added so far."""
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _size, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def accumulate(leaves: Iterable[bytes]) -> MerkleAccumulator:
    """An accumulator fed with every leaf of ``leaves``."""
    accumulator = MerkleAccumulator()
    for leaf in leaves:
        accumulator.add(leaf)
    return accumulator


class MerkleTree:
    """Every level of an RFC 6962 tree, kept compact, to prove leaves are in it.

    Pairing nodes left to right and carrying an odd last node up unchanged gives
    the RFC's tree (split at the largest power of two), so an inclusion proof is
    the sibling at each level where there is one. Levels are ``bytearray``s of
    32-byte hashes: a million leaves take 64 MB.
    """

    def __init__(self, leaf_hashes: Iterable[bytes]) -> None:
        first = bytearray()
        for hashed in leaf_hashes:
            first += hashed
        self.levels: list[bytearray] = [first]
        while len(self.levels[-1]) > 32:
            below = self.levels[-1]
            above = bytearray()
            count = len(below) // 32
            for i in range(0, count - 1, 2):
                above += node_hash(
                    bytes(below[i * 32 : i * 32 + 32]),
                    bytes(below[i * 32 + 32 : i * 32 + 64]),
                )
            if count % 2:
                above += below[(count - 1) * 32 :]
            self.levels.append(above)

    @property
    def size(self) -> int:
        return len(self.levels[0]) // 32

    def root(self) -> bytes:
        """The tree head (the hash of the empty string for no leaf)."""
        return bytes(self.levels[-1]) if self.size else EMPTY_ROOT

    def proof(self, index: int) -> list[tuple[str, bytes]]:
        """The audit path of leaf ``index``: ("left"|"right", sibling) bottom up."""
        if not 0 <= index < self.size:
            raise IndexError(index)
        path: list[tuple[str, bytes]] = []
        for level in self.levels[:-1]:
            count = len(level) // 32
            sibling = index ^ 1
            if sibling < count:
                side = "left" if sibling < index else "right"
                path.append((side, bytes(level[sibling * 32 : sibling * 32 + 32])))
            index //= 2
        return path


def verify_inclusion(
    leaf: bytes, path: Sequence[tuple[str, bytes]], root: bytes
) -> bool:
    """Whether ``leaf`` (unhashed) is in the tree of ``root`` by ``path``."""
    current = leaf_hash(leaf)
    for side, sibling in path:
        current = (
            node_hash(sibling, current)
            if side == "left"
            else node_hash(current, sibling)
        )
    return current == root
