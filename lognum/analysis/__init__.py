"""Theory and analysis (DESIGN.md §2): closed forms (``closed_form``), SQNR (``sqnr``),
statistics and ALPS parameter selection (``stats``). Submodules import on demand."""
