"""The ``govledger`` command line."""
