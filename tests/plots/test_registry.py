"""The figure registry, the CSV beside each figure and the `lognum figures` command."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from lognum.cli import main
from lognum.plots import FIGURES, register, render
from lognum.plots.export import figure_data, write_csv
from lognum.plots.registry import FigureRegistry
from lognum.plots.style import figure_options, new_figure, use_style

matplotlib.use("Agg")


def _demo():
    with use_style():
        fig = new_figure("single")
        ax = fig.add_subplot()
        ax.plot([1, 2, 4], [10, 20, 40], "o-", label="twice")
        ax.bar(["a", "b"], [3, 5], bottom=[1, 1], label="bars")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("length (m)")
    return fig


def test_register_one_line_and_draw_by_name():
    reg = FigureRegistry()
    e = reg.register("demo_plot", _demo, "A demo.", reproduces="Fig. 0")
    assert list(reg) == ["demo_plot"] and reg["demo_plot"] is e
    assert e.qualname.endswith("test_registry._demo") and e.group == "test_registry"
    fig = e(size="double")
    assert np.isclose(fig.get_figwidth(), 7.16)
    assert np.isclose(e(style="acm", size="single").get_figwidth(), 3.33)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("demo_plot", _demo, "again")
    with pytest.raises(ValueError, match="name must match"):
        reg.register("Bad Name", _demo, "x")
    with pytest.raises(ValueError, match="one non-empty line"):
        reg.register("two_lines", _demo, "a\nb")
    with pytest.raises(ValueError, match="module:function"):
        reg.register("no_colon", "lognum.plots.theory.fig_delta_gp", "x")
    with pytest.raises(ValueError, match="size must be one of single, double"):
        e(size="triple")
    with pytest.raises(ValueError, match="style must be one of default, ieee, acm"):
        e(style="nature")


def test_global_register_adds_a_lazy_figure():
    e = register("test_lazy_delta", "lognum.plots.theory:fig_delta_gp", "Delta again.")
    try:
        assert FIGURES["test_lazy_delta"] is e and e.function.__name__ == "fig_delta_gp"
    finally:
        FIGURES._d.pop("test_lazy_delta")


def test_every_entry_has_a_caption_and_resolves():
    assert len(FIGURES) >= 21
    for name, e in FIGURES.items():
        assert e.name == name and e.caption.endswith(".") and callable(e.function)
    seeds = {
        "alps_fig1_compander",
        "alps_fig4a_sqnr",
        "alps_fig4b_misclassification",
        "alps_fig5_edp",
        "alps_table23_accuracy",
        "lpq_weight_distribution",
    }
    assert seeds <= set(FIGURES)
    for s in seeds:
        assert FIGURES[s].reproduces and FIGURES[s].data


def test_csv_holds_the_plotted_series_with_units(tmp_path):
    fig = _demo()
    notes, rows = figure_data(fig)
    assert notes == ["panel 1: (untitled); x = time (s); y = length (m)"]
    assert ["1", "twice", "1", "10", ""] in rows and ["1", "twice", "4", "40", ""] in rows
    assert ["1", "bars", "a", "4", "1"] in rows and ["1", "bars", "b", "6", "1"] in rows
    text = write_csv(fig, tmp_path / "d.csv").read_text()
    assert "y = length (m)" in text and "panel,series,x,y,z" in text


def test_render_writes_pdf_png_csv_deterministically(tmp_path):
    a = render(["alps_eq9_eq25_delta"], tmp_path / "a", progress=False)
    b = render(["alps_eq9_eq25_delta"], tmp_path / "b", progress=False)
    assert [p.name for p in a] == ["alps_eq9_eq25_delta." + x for x in ("pdf", "png", "csv")]
    for p, q in zip(a, b, strict=True):
        assert p.read_bytes() == q.read_bytes()
    with pytest.raises(ValueError, match="unknown figure 'nope'"):
        render(["nope"], tmp_path)


def test_size_option_sets_the_width(tmp_path):
    import matplotlib.image as mpimg

    render(["alps_eq9_eq25_delta"], tmp_path, size="double", progress=False)
    img = mpimg.imread(tmp_path / "alps_eq9_eq25_delta.png")
    assert img.shape[1] == round(7.16 * 200)
    with figure_options("single"):
        from lognum.plots.theory import fig_sqnr_curves  # a double-column figure

        assert np.isclose(fig_sqnr_curves(step=4.0).get_figwidth(), 3.5)


def test_cli_renders_named_figures(tmp_path, capsys):
    assert (
        main(
            [
                "figures",
                "alps_eq9_eq25_delta",
                "-o",
                str(tmp_path),
                "--size",
                "single",
                "--style",
                "ieee",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "alps_eq9_eq25_delta.csv",
        "alps_eq9_eq25_delta.pdf",
        "alps_eq9_eq25_delta.png",
    ]
    assert b"STIX" in (tmp_path / "alps_eq9_eq25_delta.pdf").read_bytes()
    assert main(["figures", "--list"]) == 0
    assert "alps_fig4a_sqnr" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["figures", "no_such_figure"], "unknown figure 'no_such_figure'"),
        (["figures", "alps_eq9_eq25_delta", "-o", "FILE"], "exists and is not a directory"),
        (["figures", "alps_eq9_eq25_delta", "-o", "RO/sub"], "cannot write into"),
        (["figures", "--size", "triple"], "invalid choice: 'triple'"),
    ],
)
def test_cli_user_errors_are_one_line_exit_2(argv, message, tmp_path, capsys):
    import os

    f = tmp_path / "afile.pdf"
    f.write_text("x")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    # root may write into a read-only folder: then use a path below a file
    blocked = f / "sub" if os.geteuid() == 0 else ro / "sub"
    argv = [str(f) if a == "FILE" else str(blocked) if a == "RO/sub" else a for a in argv]
    try:
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse's own choice errors
            rc = e.code
    finally:
        ro.chmod(0o700)
    err = capsys.readouterr().err
    assert rc == 2 and message in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
