"""SCALE-Sim 3.0.0 reference reports committed under ``data/<folder>/<case>/`` (made by
``data/make_golden.py``; see ``data/README.md``): run a case through lognum and compare."""

from pathlib import Path

import lognum.hw as hw
from lognum.hw.report import read_report

DATA = Path(__file__).parent / "data"
REPORTS = ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv", "BANDWIDTH_REPORT.csv")


def cases(folder: str) -> list[str]:
    return sorted(p.name for p in (DATA / folder).iterdir() if p.is_dir())


def run_case(folder: str, case: str, **kw) -> hw.SimResult:
    """Simulate a case: its ``config.cfg`` and the topology its name starts with
    (``small_gemm_...`` -> ``data/small_gemm.csv``, read as a GEMM topology)."""
    prefix, kind = case.split("_")[:2]
    topology = DATA / f"{prefix}_{kind}.csv"
    return hw.simulate(
        DATA / folder / case / "config.cfg",
        topology,
        input_type="gemm" if kind == "gemm" else "conv",
        workers=1,
        **kw,
    )


def assert_reports_equal(
    res, folder: str, case: str, tmp_path: Path, reports: tuple[str, ...] = REPORTS
) -> None:
    """Every row and column of lognum's reports equals SCALE-Sim's (value by value first, for
    a readable failure), then the files are byte-identical (same number formatting)."""
    paths = dict(zip(REPORTS, res.write_csv(tmp_path), strict=False))
    for rep in reports:
        ref = read_report(DATA / folder / case / rep)
        got = read_report(paths[rep])
        assert len(got) == len(ref), rep
        for i, (g, r) in enumerate(zip(got, ref, strict=True)):
            assert list(g) == list(r), rep
            for col in r:
                assert float(g[col]) == float(r[col]), (rep, i, col, g[col], r[col])
        assert paths[rep].read_text() == (DATA / folder / case / rep).read_text(), rep
