"""Teaching helpers for the lognum course (``tutorials/``).

* :func:`check` — check a student's answer to an exercise (``check("06.1", 0.203125)``);
  :func:`answer` returns the expected answer (for instructors), :func:`exercises` lists them.
* :func:`show` — display a Matplotlib figure as a PNG image in Jupyter, whatever the backend.
* :mod:`lognum.teach.explorer` — the bit-pattern explorer (posit / GP / LP / FP8 / MX
  elements): its logic is plain Python, the ipywidgets front end is optional.

Nothing here is needed by the rest of the package; importing it compiles nothing.
"""

from __future__ import annotations

from lognum.teach.checks import answer, check, exercises
from lognum.teach.display import show

__all__ = ["answer", "check", "exercises", "show"]
