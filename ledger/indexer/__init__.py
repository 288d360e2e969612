"""Follows the chain and stores what the ledger's contracts emitted."""
