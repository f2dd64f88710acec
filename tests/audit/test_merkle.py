"""RFC 6962 tree heads: the published vectors, and the streaming form agrees."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    accumulate,
    leaf_hash,
    merkle_root,
    node_hash,
    split_point,
)

# The Certificate Transparency reference inputs and tree heads (sizes 0 to 8).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
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


@pytest.mark.parametrize("size", range(len(CT_ROOTS)))
def test_the_reference_definition_gives_the_published_tree_heads(size: int) -> None:
    assert merkle_root(CT_LEAVES[:size]).hex() == CT_ROOTS[size]


@pytest.mark.parametrize("size", range(len(CT_ROOTS)))
def test_the_streaming_accumulator_gives_the_published_tree_heads(size: int) -> None:
    accumulator = accumulate(CT_LEAVES[:size])

    assert accumulator.root().hex() == CT_ROOTS[size]
    assert accumulator.size == size


def test_the_empty_tree_head_is_the_hash_of_nothing() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert MerkleAccumulator().root() == EMPTY_ROOT


def test_leaves_and_nodes_are_hashed_with_distinct_prefixes() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


@pytest.mark.parametrize(
    ("n", "k"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1000, 512)]
)
def test_a_tree_splits_at_the_largest_power_of_two_below_its_size(
    n: int, k: int
) -> None:
    assert split_point(n) == k


def test_a_single_leaf_has_no_split() -> None:
    with pytest.raises(ValueError, match="two leaves"):
        split_point(1)


@given(st.lists(st.binary(max_size=8), max_size=300))
def test_the_accumulator_agrees_with_the_definition_at_every_size(
    leaves: list[bytes],
) -> None:
    accumulator = MerkleAccumulator()
    assert accumulator.root() == merkle_root([])
    for count, leaf in enumerate(leaves, start=1):
        accumulator.add(leaf)
        assert accumulator.root() == merkle_root(leaves[:count])


@given(
    st.lists(st.binary(max_size=8), min_size=2, max_size=64, unique=True),
    st.data(),
)
def test_swapping_two_different_leaves_changes_the_head(
    leaves: list[bytes], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(leaves) - 2))
    j = data.draw(st.integers(i + 1, len(leaves) - 1))
    swapped = list(leaves)
    swapped[i], swapped[j] = swapped[j], swapped[i]

    assert merkle_root(swapped) != merkle_root(leaves)
