"""A content-addressed store of knowledge records on disk.

Layout under ``root/records/``:

- ``<digest>.json``: a record's canonical bytes, named by their keccak256 digest
  (lowercase hex, no ``0x``). Written once, atomically, and never rewritten.
- ``index.json``: policy id -> list of ``{"version", "digest"}`` sorted by version,
  digests as ``0x``-hex.

The bytes on disk are exactly :func:`canonical_bytes` of the record, so an auditor can
recompute ``keccak(raw(digest))`` and compare it with the digest anchored on chain;
:meth:`RecordStore.raw` returns them untouched so that tampering shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

from pydantic import ValidationError

from ledger.errors import NotFoundError, RecordError
from ledger.knowledge.canonical import canonical_bytes, keccak_hex, record_digest_hex
from ledger.knowledge.models import PolicyRecord

try:  # POSIX: serialise writers of the index across processes.
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

_DIGEST_RE = re.compile(r"[0-9a-f]{64}")


class VersionEntry(TypedDict):
    """One stored version of a policy."""

    version: int
    digest: str


class RecordStore:
    """Records stored by digest under ``root/records``, with an index by policy id."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.dir = self.root / "records"
        self.index_path = self.dir / "index.json"

    # -- writing ---------------------------------------------------------------

    def put(self, record: PolicyRecord) -> str:
        """Store ``record`` and return its ``0x``-hex digest.

        Storing the same record again is a no-op. A different record with the same id
        and version is refused: versions are superseded, never edited.
        """
        data = canonical_bytes(record)
        digest = record_digest_hex(record)
        self.dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            index = self._read_index()
            entries = index.setdefault(record.id, [])
            for entry in entries:
                if entry["version"] == record.version:
                    if entry["digest"] != digest:
                        raise RecordError(
                            f"{record.id} version {record.version} is already stored with digest"
                            f" {entry['digest']}; this record's digest is {digest}."
                            " Versions are never edited: store it as a new version."
                        )
                    break
            else:
                entries.append({"version": record.version, "digest": digest})
                entries.sort(key=lambda e: e["version"])
            path = self._path(digest)
            if not path.exists():
                # An existing file is left alone, even if altered: repairing it here
                # would hide the tampering from the next audit.
                _write_atomic(path, data)
            self._write_index(index)
        return digest

    # -- reading ---------------------------------------------------------------

    def get(self, policy_id: str, version: int | None = None) -> PolicyRecord:
        """The record of ``policy_id`` at ``version`` (the latest when None).

        Raises :class:`NotFoundError` when absent, and :class:`RecordError` when the
        stored bytes no longer hash to the indexed digest.
        """
        entries = self.versions(policy_id)
        if not entries:
            raise NotFoundError("policy", policy_id)
        if version is None:
            entry = entries[-1]
        else:
            match = [e for e in entries if e["version"] == version]
            if not match:
                raise NotFoundError("policy version", f"{policy_id} v{version}")
            entry = match[0]
        raw = self.raw(entry["digest"])
        if keccak_hex(raw) != entry["digest"]:
            raise RecordError(
                f"{self._path(entry['digest'])}: the stored bytes hash to {keccak_hex(raw)},"
                f" not to the indexed digest {entry['digest']} (the file was altered)"
            )
        return self.load_raw_record(entry["digest"])

    def versions(self, policy_id: str) -> list[VersionEntry]:
        """Stored versions of ``policy_id``, oldest first; empty if there are none."""
        return [VersionEntry(**e) for e in self._read_index().get(policy_id, [])]

    def policy_ids(self) -> list[str]:
        """Ids of all stored policies, sorted."""
        return sorted(self._read_index())

    def raw(self, digest_hex: str) -> bytes:
        """The stored bytes for ``digest_hex`` (with or without ``0x``), as on disk."""
        path = self._path(digest_hex)
        try:
            return path.read_bytes()
        except FileNotFoundError as err:
            raise NotFoundError("record", _normalise(digest_hex)) from err

    def load_raw_record(self, digest_hex: str) -> PolicyRecord:
        """Parse the stored bytes for ``digest_hex`` back into a record (no hash check)."""
        raw = self.raw(digest_hex)
        try:
            return PolicyRecord.model_validate_json(raw)
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '<record>'}: {e['msg']}"
                for e in err.errors()
            )
            raise RecordError(
                f"{self._path(digest_hex)}: not a valid stored record: {problems}"
            ) from err

    def path(self, digest_hex: str) -> Path:
        """Where the record with ``digest_hex`` is (or would be) stored."""
        return self._path(digest_hex)

    # -- internals -------------------------------------------------------------

    def _path(self, digest_hex: str) -> Path:
        return self.dir / f"{_normalise(digest_hex)[2:]}.json"

    def _read_index(self) -> dict[str, list[VersionEntry]]:
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
            return {
                str(pid): [
                    VersionEntry(version=int(e["version"]), digest=str(e["digest"]))
                    for e in entries
                ]
                for pid, entries in data.items()
            }
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            raise RecordError(f"{self.index_path}: the record index is unreadable: {err}") from err

    def _write_index(self, index: dict[str, list[VersionEntry]]) -> None:
        _write_atomic(self.index_path, canonical_bytes(index))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is None:  # pragma: no cover - not POSIX
            yield
            return
        with open(self.dir / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _normalise(digest_hex: str) -> str:
    """``0x``-prefixed lowercase hex; :class:`RecordError` unless it is 32 bytes of hex."""
    bare = digest_hex.lower().removeprefix("0x")
    if not _DIGEST_RE.fullmatch(bare):
        raise RecordError(f"{digest_hex!r} is not a 32-byte hex digest")
    return "0x" + bare


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes 0600; records are public
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
