"""The govledger HTTP service (FastAPI)."""
