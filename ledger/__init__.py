"""govledger: a blockchain-backed audit ledger for digital government."""

import sys as _sys

_recursion_limit = _sys.getrecursionlimit()

# py_ecc (imported by web3 and py-evm) raises the interpreter's recursion limit to
# 100,000 when it is imported. At that depth a deeply nested input overflows the C
# stack and kills the process instead of raising RecursionError, so the limit is put
# back once, here, before anything else of ours runs. py_ecc's recursion is bounded
# by the bit length of a scalar (256), well within the default.
import py_ecc  # noqa: E402,F401

_sys.setrecursionlimit(_recursion_limit if _recursion_limit < 100_000 else 1_000)

__version__ = "0.1.0"
