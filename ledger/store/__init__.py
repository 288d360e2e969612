"""The SQL index of what the chain holds."""
