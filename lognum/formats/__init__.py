"""Number formats: one module per family (DESIGN.md §2)."""
