"""Audit: published scores, trail verification, offline bundles, findings and the report."""
