"""Inclusion proofs in the RFC 6962 tree: every leaf proves, nothing else does."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.merkle import MerkleTree, leaf_hash, merkle_root, verify_inclusion


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 70))
def test_the_tree_has_the_rfc_root_and_every_leaf_proves(n: int) -> None:
    data = leaves(n)
    tree = MerkleTree(leaf_hash(leaf) for leaf in data)

    assert tree.root() == merkle_root(data)
    for index, leaf in enumerate(data):
        assert verify_inclusion(leaf, tree.proof(index), tree.root())


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 70), st.data())
def test_a_proof_does_not_prove_another_leaf_or_root(
    n: int, data: st.DataObject
) -> None:
    values = leaves(n)
    tree = MerkleTree(leaf_hash(leaf) for leaf in values)
    index = data.draw(st.integers(0, n - 1))
    other = data.draw(st.integers(0, n - 1).filter(lambda i: i != index))
    proof = tree.proof(index)

    assert not verify_inclusion(values[other], proof, tree.root())
    assert not verify_inclusion(values[index], proof, merkle_root(values[:-1]))
