"""Theory and analysis (docs/theory.md): closed forms (``closed_form``), SQNR (``sqnr``),
statistics and ALPS parameter selection (``stats``). Submodules import on demand."""
