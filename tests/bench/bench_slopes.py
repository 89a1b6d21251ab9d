"""Benchmark of the general random-effects models against R lme4, timed in the same run.

Not a pytest test (never pass/fail on wall time). The model is the issue-13 target,
`y ~ advice_correct * advice_source * stratum + (1 + advice_correct | participant) + (1 | case)`,
on the committed random-slope datasets; each TrustLab fit runs in a fresh interpreter so its peak
resident memory is its own, and where Rscript with lme4 is installed glmer (bobyqa,
calc.derivs = TRUE, tolPwrss = 1e-10) and lmer (REML) are timed on the same data in this run:

    .venv/bin/python tests/bench/bench_slopes.py [--repeat 3] [--sizes 265x8 1000x20 5000x50]
                                                 [--no-r]

Targets (issue 13, 2-core machine): at least 10× faster than glmer, no slower than lmer, under
1 GB at 5000×50. Columns: our wall seconds (min and median of --repeat), lme4's seconds (this
run), the speed-up, our peak resident MB, and agreement with the committed lme4 reference
(max |Δβ|, max relative SE difference, our logLik minus lme4's).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RANDOM = "(1 + advice_correct | participant) + (1 | case)"
FIXED = "advice_correct * advice_source * stratum"
MODELS = {"glmm_slope": ("glmer", "correct_decision"), "lmm_slope_reml": ("lmer", "rating")}


def run_one(model: str, size: str, repeat: int) -> dict:
    import numpy as np

    from analysis.mixed import fit_glmm, fit_lmm
    from tests.analysis.reference import R_TERMS, load_lme4_slopes, load_slope_dataset

    data = load_slope_dataset(size)
    kind, response = MODELS[model]
    formula = f"{response} ~ {FIXED} + {RANDOM}"
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fit_glmm(formula, data) if kind == "glmer" else fit_lmm(formula, data)
        walls.append(time.perf_counter() - start)
    reference = load_lme4_slopes(size)["models"][model]
    ours = {R_TERMS[e.term]: e for e in result.fixed_effects}
    estimate = np.array([ours[t].estimate for t in reference["terms"]])
    std_error = np.array([ours[t].std_error for t in reference["terms"]])
    return {
        "n_obs": result.n_obs,
        "wall_s": walls,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "max_abs_estimate_diff": float(np.abs(estimate - reference["estimate"]).max()),
        "max_rel_se_diff": float(np.abs(std_error / reference["std_error"] - 1).max()),
        "log_likelihood_diff": result.log_likelihood - reference["log_likelihood"],
        "converged": result.converged,
    }


def time_lme4(kind: str, size: str) -> float | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    script = Path(__file__).with_name("lme4_time_slopes.R")
    completed = subprocess.run(
        [rscript, str(script), size, kind], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        print(f"  (lme4 failed: {completed.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", nargs="+", default=["265x8", "1000x20", "5000x50"])
    parser.add_argument("--no-r", action="store_true", help="do not time lme4")
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.repeat)))
        return
    print(
        f"{'model':<16}{'size':>9}{'n':>8}{'ours min':>10}{'ours med':>10}{'lme4 s':>9}"
        f"{'speed-up':>10}{'peak MB':>9}{'|Δβ|max':>10}{'SE rel':>9}{'ΔlogL':>10}"
    )
    for model, (kind, _) in MODELS.items():
        for size in args.sizes:
            completed = subprocess.run(
                [sys.executable, __file__, "--one", model, size, "--repeat", str(args.repeat)],
                check=True,
                capture_output=True,
                text=True,
            )
            row = json.loads(completed.stdout)
            lme4 = None if args.no_r else time_lme4(kind, size)
            best = min(row["wall_s"])
            speed = f"{lme4 / best:>9.1f}x" if lme4 else f"{'-':>10}"
            lme4_text = f"{lme4:>9.2f}" if lme4 else f"{'-':>9}"
            print(
                f"{model:<16}{size:>9}{row['n_obs']:>8}{best:>10.3f}"
                f"{statistics.median(row['wall_s']):>10.3f}{lme4_text}{speed}"
                f"{row['peak_rss_mb']:>9.0f}{row['max_abs_estimate_diff']:>10.1e}"
                f"{row['max_rel_se_diff']:>9.1e}{row['log_likelihood_diff']:>10.1e}",
                flush=True,
            )


if __name__ == "__main__":
    main()
