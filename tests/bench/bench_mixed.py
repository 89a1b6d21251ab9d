"""Benchmark of the crossed mixed models: fit time, peak memory and agreement with R lme4.

Not a pytest test (never pass/fail on wall time). Each fit runs in a fresh interpreter so that
its peak resident memory is its own:

    .venv/bin/python tests/bench/bench_mixed.py [--repeat 3] [--sizes 265x8 1000x20 5000x50]

Targets (issue 4, 2-core machine): GLMM <= 0.2 s, 2 s, 20 s; LMM no slower than lmer; < 1 GB.
Columns: wall/cpu seconds of the fit alone; "lme4 s" is R's time from the reference run
(lme4_reference.R, same machine, not necessarily the same load); "base MB" is the process's
resident memory after loading the data, "peak MB" its peak over the fits, "traced MB" the peak of
Python/numpy allocations during one fit; then agreement with lme4 (max |Δβ|, max relative
difference of SEs and of variance components, our logLik minus lme4's).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MODELS = ("glmm_laplace", "lmm_reml")


def run_one(model: str, size: str, repeat: int) -> dict:
    """Fit one model `repeat` times in this process; report times, memory and lme4 agreement."""
    import numpy as np

    from analysis.mixed import fit_glmm, fit_lmm
    from tests.analysis.reference import ACCURACY, R_TERMS, RATING, load_dataset, load_lme4

    data = load_dataset(size)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def fit():
        if model == "glmm_laplace":
            return fit_glmm(ACCURACY, data)
        return fit_lmm(RATING, data, reml=True)

    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fit()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # tracemalloc slows numpy allocation severalfold: one separate, untimed run.
    tracemalloc.start()
    fit()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    lme4 = load_lme4(size)["models"][model]
    ours = {R_TERMS[e.term]: e for e in result.fixed_effects}
    estimate = np.array([ours[t].estimate for t in lme4["terms"]])
    std_error = np.array([ours[t].std_error for t in lme4["terms"]])
    variances = {e.group: e.variance for e in result.random_effects}
    if result.residual_variance is not None:
        variances["Residual"] = result.residual_variance
    lme4_variances = dict(
        zip(lme4["random_effects"]["group"], lme4["random_effects"]["variance"], strict=True)
    )
    return {
        "model": model,
        "size": size,
        "n_obs": result.n_obs,
        "wall_s": walls,
        "cpu_s": cpus,
        "peak_rss_mb": peak_rss_kb / 1024,
        "data_rss_mb": baseline_kb / 1024,
        "traced_peak_mb": traced_peak / 2**20,
        "lme4_s": lme4["fit_seconds"],  # measured by lme4_reference.R on its run
        "max_abs_estimate_diff": float(np.abs(estimate - lme4["estimate"]).max()),
        "max_rel_se_diff": float(np.abs(std_error / lme4["std_error"] - 1).max()),
        "max_rel_variance_diff": max(abs(variances[g] / v - 1) for g, v in lme4_variances.items()),
        "log_likelihood_diff": result.log_likelihood - lme4["log_likelihood"],
        "converged": result.converged,
        "max_abs_gradient": result.max_abs_gradient,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", nargs="+", default=["265x8", "1000x20", "5000x50"])
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.repeat)))
        return

    header = (
        f"{'model':<13}{'size':>9}{'n':>8}{'wall min':>10}{'wall med':>10}{'cpu min':>9}"
        f"{'lme4 s':>9}{'base MB':>9}{'peak MB':>9}{'traced MB':>10}{'|Δβ|max':>10}{'SE rel':>9}"
        f"{'var rel':>9}{'ΔlogL':>10}"
    )
    print(header)
    for model in MODELS:
        for size in args.sizes:
            completed = subprocess.run(
                [sys.executable, __file__, "--one", model, size, "--repeat", str(args.repeat)],
                check=True,
                capture_output=True,
                text=True,
            )
            row = json.loads(completed.stdout)
            print(
                f"{model:<13}{size:>9}{row['n_obs']:>8}{min(row['wall_s']):>10.3f}"
                f"{statistics.median(row['wall_s']):>10.3f}{min(row['cpu_s']):>9.3f}"
                f"{row['lme4_s']:>9.2f}{row['data_rss_mb']:>9.0f}{row['peak_rss_mb']:>9.0f}{row['traced_peak_mb']:>10.0f}"
                f"{row['max_abs_estimate_diff']:>10.1e}{row['max_rel_se_diff']:>9.1e}"
                f"{row['max_rel_variance_diff']:>9.1e}{row['log_likelihood_diff']:>10.1e}",
                flush=True,
            )


if __name__ == "__main__":
    main()
