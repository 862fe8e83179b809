"""The exercise checker: comparison rules, verdicts, user errors, and the registry (every
exercise of every lesson has an expected answer that computes, and each one is used by a
lesson). The notebooks' solution cells (tests/test_tutorials.py) check that the worked
solutions, computed another way, are accepted."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from lognum.teach import answer, check, exercises
from lognum.teach.checks import matches

ROOT = Path(__file__).resolve().parents[2]


def test_matches_rules():
    assert matches(1.0 + 1e-12, 1.0) and not matches(1.001, 1.0)
    assert matches(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert not matches(np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]))
    assert matches(" Posit<8,2> ", "posit<8,2>") and not matches(3, "3")
    assert matches(27, 27) and matches(27.0, 27) and not matches(27.5, 27) and not matches("x", 27)
    assert matches((-9, [0.875, 0.5]), (-9, [0.875, 0.5])) and not matches(
        (-8, [0.875, 0.5]), (-9, [0.875, 0.5])
    )
    assert matches(Fraction(1, 3), Fraction(1, 3)) and not matches(0.3333, Fraction(1, 3))
    assert matches(True, True) and not matches(1.0, True)
    assert matches({"a": 1.0}, {"a": 1.0}) and not matches({"a": 1.0}, {"b": 1.0})
    assert not matches(None, 1.0) and not matches(object(), 1.0)


def test_check_prints_a_verdict(capsys):
    ok = check("03.2", 0.3125)
    out = capsys.readouterr().out
    assert ok and "correct" in out and bool(ok) is True
    bad = check("03.2", 0.3)
    out = capsys.readouterr().out
    assert not bad and "not yet" in out and "Hint" in out
    assert not check("03.2", None) and "no answer yet" in capsys.readouterr().out


def test_unknown_exercise_names_the_parameter():
    with pytest.raises(ValueError, match="exercise must be one of"):
        check("99.9", 1)


def test_registry_is_complete_and_every_answer_computes():
    ex = exercises()
    keys = [e.key for e in ex]
    assert len(keys) == len(set(keys)) >= 2 * 16 + 6
    lessons = {int(k.split(".")[0]) for k in keys}
    assert lessons == set(range(0, 17))
    for e in ex:
        if e.key in {"11.2", "13.3", "00.2", "00.4"}:  # the slow ones run in the notebooks
            continue
        a = answer(e.key)
        assert a is not None and matches(a, a, e.rtol, e.atol), e.key


def test_every_exercise_is_used_by_a_lesson():
    code = ""
    for nb in sorted((ROOT / "tutorials").glob("*.ipynb")):
        code += "".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])
    for e in exercises():
        assert f'check("{e.key}"' in code, f"exercise {e.key} is not in any lesson"


@pytest.mark.parametrize(
    "key,right,wrong",
    [
        ("01.1", (4 / 255, 64), (4 / 255, 63)),
        ("02.1", 27, 28),
        ("03.3", (6, 2), (6, 1)),
        ("06.1", 11.0, 11.5),
        ("06.3", 0b010011, 0b010100),
        ("07.1", 1.5, 1.625),
        ("08.1", 70, 72),
        ("09.3", [6], [5, 6]),
        ("12.1", 2 ** (-1 + 5 / 16), 2 ** (-1 + 6 / 16)),
        ("14.1", 34, 33),
        ("15.2", 0.1875, 0.25),
        ("16.2", (6, 256.0), (5, 16.0)),
    ],
)
def test_known_answers_by_hand(key, right, wrong):
    """Answers worked out by hand in the lessons' text (an independent oracle)."""
    assert check(key, right, quiet=True) and not check(key, wrong, quiet=True)
