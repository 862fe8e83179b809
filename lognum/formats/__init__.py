"""Number formats: one module per family (docs/guide/index.md)."""
