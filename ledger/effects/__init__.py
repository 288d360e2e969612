"""The effect log: append-only entries in an RFC 9162 Merkle tree, and its proofs."""
