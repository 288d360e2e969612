"""govledger: a blockchain-backed audit ledger for digital government."""

__version__ = "0.1.0"
