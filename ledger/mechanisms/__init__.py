"""One typed wrapper per contract."""
