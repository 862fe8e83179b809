"""Session-wide test settings: one BLAS thread (2 busy cores and 2 BLAS threads were up to 200x
slower, CONTRIBUTING.md), the workqueue Numba threading layer, a headless matplotlib backend."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
os.environ.setdefault("MPLBACKEND", "Agg")


# Tests skip only when an optional package (a test extra or a --no-deps model package) is
# absent. CI installs all of them (README command 2), so under CI=true any skip means a missing
# install step and fails the run instead of hiding tests.
_SKIPPED: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_collectreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and _SKIPPED and exitstatus == 0:
        print(f"\nCI: {len(_SKIPPED)} skipped test(s) (missing install?): {_SKIPPED[:5]}")
        session.exitstatus = 1
