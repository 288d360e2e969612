"""The on-disk effect log: proofs equal merkle.py's, crash recovery, dedupe, aggregation."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.effects import merkle
from ledger.effects.entries import canonical_entry, parse_entry
from ledger.effects.store import EffectStore, PermissionCounts
from ledger.errors import StoreError

LOG = "calls"
T = 1_704_067_200
PERMISSIONS = ("open", "conditional", "restricted")


def heartbeat(i: int, system: str | None = None) -> bytes:
    return b'{"at":%d,"kind":"heartbeat","system":"%s"}' % (
        T + i,
        (system or f"sys.{i % 3}").encode(),
    )


def call(i: int) -> bytes:
    return canonical_entry(
        parse_entry(
            {
                "kind": "call",
                "agreement": f"agr.{i % 4}",
                "system": f"sys.{i % 3}",
                "at": T + 10 * i,
                "records": i % 7,
                "permission": PERMISSIONS[i % 3],
                "latency_ms": i / 8,
            }
        )
    )


def entry(i: int) -> bytes:
    return call(i) if i % 3 else heartbeat(i)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EffectStore]:
    with EffectStore(tmp_path / "log", LOG) as s:
        yield s


def level_sizes(directory: Path) -> dict[int, int]:
    return {
        int(p.name.removeprefix(f"{LOG}.level").removesuffix(".bin")): p.stat().st_size // 32
        for p in directory.glob(f"{LOG}.level*.bin")
    }


def stored(directory: Path, count: int) -> bytes:
    """The root of a new store in ``directory`` holding entries 0 to ``count - 1``, closed."""
    with EffectStore(directory, LOG) as s:
        s.append_batch([entry(i) for i in range(count)])
        return s.root()


def expected_levels(size: int) -> dict[int, int]:
    return {k: size >> k for k in range(max(size.bit_length(), 1))}


# -- proofs equal the in-memory reference for every size -------------------------------------

SMALL = 70
SMALL_ENTRIES = [entry(i) for i in range(SMALL)]
REFERENCE = merkle.MerkleTree.from_entries(SMALL_ENTRIES)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EffectStore]:
    directory = tmp_path_factory.mktemp("small")
    with EffectStore(directory, LOG) as s:
        done = 0
        for size in [1, 1, 2, 3, 5, 8, 13, 21, 16]:  # batches that start odd and even
            s.append_batch(SMALL_ENTRIES[done : done + size])
            done += size
            assert s.root() == REFERENCE.root(done)
        assert s.size == SMALL
        yield s


def test_roots_for_every_size(small: EffectStore) -> None:
    for size in range(SMALL + 1):
        assert small.root(size) == REFERENCE.root(size) == merkle.root(SMALL_ENTRIES[:size])


def test_inclusion_proofs_for_every_size_and_index(small: EffectStore) -> None:
    for size in range(1, SMALL + 1):
        root = small.root(size)
        for index in range(size):
            proof = small.inclusion_proof(index, size)
            assert proof == REFERENCE.inclusion_proof(index, size)
            leaf = merkle.leaf_hash(SMALL_ENTRIES[index])
            assert small.leaf_hash_at(index) == leaf
            assert merkle.verify_inclusion(leaf, index, size, proof, root)


def test_consistency_proofs_for_every_pair_of_sizes(small: EffectStore) -> None:
    for new in range(SMALL + 1):
        for old in range(new + 1):
            proof = small.consistency_proof(old, new)
            assert proof == REFERENCE.consistency_proof(old, new)
            assert merkle.verify_consistency(old, new, small.root(old), small.root(new), proof)


def test_default_size_is_the_whole_log(small: EffectStore) -> None:
    assert small.root() == small.root(SMALL)
    assert small.inclusion_proof(5) == small.inclusion_proof(5, SMALL)
    assert small.consistency_proof(9) == small.consistency_proof(9, SMALL)


def test_the_store_serves_nodes_by_id(small: EffectStore) -> None:
    """The store only fetches: the Merkle module's plans, fed its nodes, give its proofs."""
    for size in (1, 13, 64, SMALL):
        builder = small.proofs(size)
        ids = merkle.range_nodes(0, size)
        assert small.nodes(ids) == REFERENCE.nodes(ids)
        assert builder.root() == small.root(size) == REFERENCE.root(size)
        for index in (0, size // 3, size - 1):
            plan = merkle.inclusion_nodes(index, size)
            proof = plan.rehash(small.nodes(plan.ids))
            assert proof == builder.inclusion_proof(index) == small.inclusion_proof(index, size)
        plan = merkle.consistency_nodes(size // 2, size)
        assert plan.rehash(small.nodes(plan.ids)) == small.consistency_proof(size // 2, size)
    assert small.nodes([merkle.NodeID(6, 0), merkle.NodeID(0, SMALL - 1)]) == [
        merkle.root(SMALL_ENTRIES[:64]),
        merkle.leaf_hash(SMALL_ENTRIES[-1]),
    ]
    with pytest.raises(StoreError, match="effect log 'calls': level 0 lacks node 70"):
        small.nodes([merkle.NodeID(0, SMALL)])
    with pytest.raises(StoreError, match="level 7 lacks node 0"):
        small.nodes([merkle.NodeID(7, 0)])
    with pytest.raises(ValueError, match=r"tree size 71 is outside 0\.\.70"):
        small.proofs(SMALL + 1)


def test_random_proofs_in_a_larger_log(tmp_path: Path) -> None:
    rng = random.Random(7)
    entries = [entry(i) for i in range(3000)]
    reference = merkle.MerkleTree.from_entries(entries)
    with EffectStore(tmp_path, LOG) as s:
        done = 0
        while done < len(entries):
            step = rng.randint(1, 400)
            s.append_batch(entries[done : done + step])
            done += step
        assert level_sizes(tmp_path) == expected_levels(3000)
        for _ in range(200):
            size = rng.randint(1, 3000)
            index = rng.randrange(size)
            old = rng.randint(0, size)
            assert s.root(size) == reference.root(size)
            assert s.inclusion_proof(index, size) == reference.inclusion_proof(index, size)
            assert s.consistency_proof(old, size) == reference.consistency_proof(old, size)
        s.verify()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_any_batching_gives_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int]
) -> None:
    directory = tmp_path_factory.mktemp("batching")
    total = sum(sizes)
    entries = [entry(i) for i in range(total)]
    with EffectStore(directory, LOG) as s:
        done = 0
        for size in sizes:
            assert s.append_batch(entries[done : done + size]) == size
            done += size
        assert s.root() == merkle.root(entries)
        assert level_sizes(directory) == expected_levels(total) or total == 0
        s.verify()


def test_bad_sizes_and_indices(small: EffectStore) -> None:
    with pytest.raises(ValueError, match=r"tree size 71 is outside 0\.\.70"):
        small.root(71)
    with pytest.raises(ValueError, match="seq 70 is outside a log of 70 entries"):
        small.inclusion_proof(70)
    with pytest.raises(ValueError, match="seq 3 is outside a log of 3 entries"):
        small.inclusion_proof(3, 3)
    with pytest.raises(ValueError, match="old size 5 must be between 0 and the new size 4"):
        small.consistency_proof(5, 4)
    with pytest.raises(ValueError, match="seq -1"):
        small.entry(-1)


def test_empty_log(store: EffectStore) -> None:
    assert store.size == 0
    assert store.root() == merkle.EMPTY_ROOT
    assert store.consistency_proof(0) == []
    assert store.append_batch([]) == 0
    assert store.calls_per_agreement() == {}


# -- entries, dedupe, validation -----------------------------------------------------------


def test_entries_are_read_back(small: EffectStore) -> None:
    assert small.entry(0) == SMALL_ENTRIES[0]
    assert list(small.entries()) == SMALL_ENTRIES
    assert list(small.entries(10, 12)) == SMALL_ENTRIES[10:13]
    assert small.seq_of(SMALL_ENTRIES[42]) == 42
    assert small.seq_of(heartbeat(10**6)) is None


def test_identical_entries_are_stored_once(store: EffectStore) -> None:
    a, b, c = heartbeat(1), heartbeat(2), call(3)
    assert store.append_batch([a, b, a, b]) == 2
    assert store.append_batch([b, c, a, c]) == 1
    assert store.size == 3
    assert [store.entry(i) for i in range(3)] == [a, b, c]
    assert store.root() == merkle.root([a, b, c])
    store.verify()


def test_a_bad_entry_rejects_the_whole_batch(store: EffectStore) -> None:
    store.append_batch([heartbeat(1)])
    with pytest.raises(ValueError, match="entry 1 of the batch: at: must be between"):
        store.append_batch([heartbeat(2), b'{"at":-5,"kind":"heartbeat","system":"s"}'])
    with pytest.raises(ValueError, match=r"entry 0 of the batch: .*not in canonical form"):
        store.append_batch([b'{"kind":"heartbeat","system":"s","at":5}'])
    with pytest.raises(ValueError, match="entry 0 of the batch: name: personal data"):
        store.append_batch([b'{"at":5,"kind":"heartbeat","name":"Zhang San","system":"s"}'])
    assert store.size == 1
    assert store.root() == merkle.root([heartbeat(1)])


def test_cursor_is_written_with_the_batch(store: EffectStore) -> None:
    assert store.cursor("k") is None
    store.append_prepared([], cursor=("k", "one"))
    assert store.cursor("k") == "one"
    store.append_batch([heartbeat(1)])
    assert store.cursor("k") == "one"


# -- reopening and crashes -----------------------------------------------------------------


def test_reopen_keeps_size_and_root(tmp_path: Path) -> None:
    entries = [entry(i) for i in range(37)]
    with EffectStore(tmp_path, LOG) as s:
        s.append_batch(entries)
        root = s.root()
    with EffectStore(tmp_path, LOG) as s:
        assert s.size == 37
        assert s.root() == root
        s.append_batch([entry(37)])
        assert s.root() == merkle.root([*entries, entry(37)])


def test_one_writer_at_a_time(store: EffectStore) -> None:
    with pytest.raises(StoreError, match="is open in another process"):
        EffectStore(store.directory, LOG)


def test_the_directory_belongs_to_one_log(tmp_path: Path) -> None:
    with EffectStore(tmp_path, LOG):
        pass
    with pytest.raises(StoreError, match="holds effect log 'calls', not 'other'"):
        EffectStore(tmp_path, "other")


@pytest.mark.parametrize("log_id", ["", "a/b", "../x", "x" * 33, ".hidden"])
def test_log_ids_are_safe_file_names(tmp_path: Path, log_id: str) -> None:
    with pytest.raises(ValueError, match="log id"):
        EffectStore(tmp_path, log_id)


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    s = EffectStore(tmp_path, LOG)
    s.close()
    s.close()
    with pytest.raises(StoreError, match="is closed"):
        s.append_batch([heartbeat(1)])


def test_level_files_ahead_of_sqlite_are_truncated(tmp_path: Path) -> None:
    """A batch written to the level files but never committed (a crash in between)."""
    entries = [entry(i) for i in range(21)]
    with EffectStore(tmp_path, LOG) as s:
        s.append_batch(entries)
        root = s.root()
    for level, count in level_sizes(tmp_path).items():
        with (tmp_path / f"{LOG}.level{level}.bin").open("ab") as handle:
            handle.write(os.urandom(32 * (count + 3)))
    with (tmp_path / f"{LOG}.level9.bin").open("wb") as handle:
        handle.write(os.urandom(64))
    with EffectStore(tmp_path, LOG) as s:
        assert s.size == 21
        assert level_sizes(tmp_path) == {**expected_levels(21), 9: 0}
        assert s.root() == root
        s.append_batch([entry(21)])
        assert s.root() == merkle.root([*entries, entry(21)])
        s.verify()


def test_a_crash_between_level_files_and_commit(tmp_path: Path) -> None:
    """A process killed after writing a batch's nodes and before committing it."""
    first = [entry(i) for i in range(13)]
    with EffectStore(tmp_path, LOG) as s:
        s.append_batch(first)
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from ledger.effects.store import EffectStore
        from tests.effects.test_store import entry

        store = EffectStore(Path({str(tmp_path)!r}), {LOG!r})
        original = store._write_nodes

        def write_then_die(*args):
            original(*args)
            os._exit(9)

        store._write_nodes = write_then_die
        store.append_batch([entry(i) for i in range(13, 40)])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).parents[2], check=False
    )
    assert done.returncode == 9
    assert level_sizes(tmp_path)[0] == 40  # the files ran ahead of SQLite
    with EffectStore(tmp_path, LOG) as s:
        assert s.size == 13
        assert level_sizes(tmp_path) == {**expected_levels(13), **{k: 0 for k in range(4, 6)}}
        assert s.root() == merkle.root(first)
        assert s.append_batch([entry(i) for i in range(13, 40)]) == 27
        assert s.root() == merkle.root([entry(i) for i in range(40)])
        s.verify()


def test_level_files_behind_sqlite_are_completed(tmp_path: Path) -> None:
    """After a power loss the level files may lack what SQLite committed."""
    root = stored(tmp_path, 45)
    os.truncate(tmp_path / f"{LOG}.level0.bin", 32 * 30)
    os.truncate(tmp_path / f"{LOG}.level2.bin", 32 * 3)
    (tmp_path / f"{LOG}.level5.bin").unlink()
    with EffectStore(tmp_path, LOG) as s:
        assert level_sizes(tmp_path) == expected_levels(45)
        assert s.root() == root
        s.verify()


def test_a_corrupt_tail_is_rebuilt(tmp_path: Path) -> None:
    root = stored(tmp_path, 20)
    with (tmp_path / f"{LOG}.level2.bin").open("r+b") as handle:
        handle.seek(32 * 4)
        handle.write(b"\xff" * 32)
    with EffectStore(tmp_path, LOG) as s:
        assert s.root() == root
        s.verify()


def test_verify_finds_a_tampered_entry(tmp_path: Path) -> None:
    with EffectStore(tmp_path, LOG) as s:
        s.append_batch([entry(i) for i in range(10)])
    db = sqlite3.connect(tmp_path / "effects.sqlite")
    db.execute("UPDATE entries SET body = ? WHERE seq = 4", (heartbeat(999),))
    db.commit()
    db.close()
    with EffectStore(tmp_path, LOG) as s, pytest.raises(StoreError, match="entry 4 does not hash"):
        s.verify()


# -- aggregation ---------------------------------------------------------------------------


def test_aggregates_equal_a_count_by_hand(tmp_path: Path) -> None:
    entries = [entry(i) for i in range(600)]
    facts = [parse_entry(e) for e in entries]
    granted = {"agr.0": 1, "agr.1": 2, "agr.2": 3}
    with EffectStore(tmp_path, LOG) as s:
        s.append_batch(entries)
        for first, last, since, until in [
            (0, None, None, None),
            (100, 399, None, None),
            (0, None, T + 1000, T + 4000),
            (50, 550, T + 2000, T + 5000),
            (10, 5, None, None),
        ]:
            chosen = [
                (seq, f)
                for seq, f in enumerate(facts)
                if first <= seq <= (599 if last is None else last)
                and (since is None or f.at >= since)
                and (until is None or f.at < until)
            ]
            calls = Counter(f.agreement for _, f in chosen if f.kind == "call")
            beats = Counter(f.system for _, f in chosen if f.kind == "heartbeat")
            within: Counter[str] = Counter()
            for _, f in chosen:
                if f.kind == "call" and f.permission <= granted.get(f.agreement, 0):
                    within[f.agreement] += 1
            kwargs = {"since": since, "until": until}
            assert s.calls_per_agreement(first, last, **kwargs) == dict(calls)
            assert s.heartbeats_per_system(first, last, **kwargs) == dict(beats)
            assert s.calls_within_permission(granted, first, last, **kwargs) == {
                a: PermissionCounts(within[a], n) for a, n in calls.items()
            }
