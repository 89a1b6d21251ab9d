"""Power simulation as a job (study.services.jobs): the analysis package's power curve for the
study's design (its cases and inaccurate advice per participant), with progress per simulated
study and the table kept as JSON and CSV.

Rule: the parameters are checked when the job is asked for (``power_params``), so a bad value
is a 400 with its reason before anything is queued; the limits keep one job under an hour."""

import math
from typing import Any, Final

from study.models import Job, Study

from .jobs import JobRefused, Outcome, Progress, job_runner

SIMS_MAX: Final = 2000
SIZES_MAX: Final = 10
N_MAX: Final = 2000


def power_params(*, study: Study, params: dict[str, Any]) -> dict[str, Any]:
    """The power job's parameters, checked and completed from the study; JobRefused names
    the first bad one. ``n``: participants per stratum (a list or "50,100"); ``sims``;
    ``alpha``; ``target`` (analysis.power.TARGETS); ``seed``."""
    from analysis.power import TARGETS

    raw_n = params.get("n", [50, 100, 150])
    try:
        sizes = (
            [int(part) for part in raw_n.split(",") if part.strip()]
            if isinstance(raw_n, str)
            else [int(part) for part in raw_n]
        )
    except (TypeError, ValueError):
        raise JobRefused(f"n must be whole numbers separated by commas, got {raw_n!r}.") from None
    if not sizes or len(sizes) > SIZES_MAX or not all(2 <= n <= N_MAX for n in sizes):
        raise JobRefused(
            f"n must list 1 to {SIZES_MAX} sizes, each from 2 to {N_MAX} participants per "
            f"stratum; got {raw_n!r}."
        )
    checked: dict[str, Any] = {"n": sizes}
    for name, default, low, high in (("sims", 200, 1, SIMS_MAX), ("seed", 2021, 0, 2**32 - 1)):
        value = params.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise JobRefused(f"{name} must be a whole number, got {value!r}.")
        try:
            number = int(value)
        except ValueError:
            raise JobRefused(f"{name} must be a whole number, got {value!r}.") from None
        if not low <= number <= high:
            raise JobRefused(f"{name} must be from {low} to {high}, got {number}.")
        checked[name] = number
    alpha = params.get("alpha", 0.05)
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise JobRefused(f"alpha must be a number, got {alpha!r}.") from None
    if not (math.isfinite(alpha) and 0 < alpha < 1):
        raise JobRefused(f"alpha must be between 0 and 1, got {alpha}.")
    target = params.get("target", "rating_source_x_stratum")
    if target not in TARGETS:
        raise JobRefused(f"target must be one of {', '.join(TARGETS)}; got {target!r}.")
    checked.update(alpha=alpha, target=target)
    checked["cases"] = study.cases_per_participant
    checked["inaccurate"] = study.inaccurate_per_participant
    return checked


@job_runner(Job.Kind.POWER)
def power_run(job: Job, progress: Progress) -> Outcome:
    from analysis.power import power_curve

    params = power_params(study=job.study, params=job.params)
    total = len(params["n"]) * params["sims"]
    progress(0, total, f"Simulating {total} studies.")
    step = max(1, total // 100)  # about a hundred progress writes per job

    def simulated(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            progress(done, total, f"{done} of {total} studies simulated and fitted.")

    try:
        table = power_curve(
            participants_per_stratum=params["n"],
            n_sims=params["sims"],
            alpha=params["alpha"],
            target=params["target"],
            seed=params["seed"],
            cases=params["cases"],
            inaccurate=params["inaccurate"],
            on_simulation=simulated,
        )
    except ValueError as error:
        raise JobRefused(f"The power simulation cannot run: {error}.") from error
    rows = [
        {key: (None if isinstance(v, float) and math.isnan(v) else v) for key, v in row.items()}
        for row in table.to_dict(orient="records")
    ]
    best = ", ".join(
        f"n={row['n']}: {row['power']:.2f}" if row["power"] is not None else f"n={row['n']}: –"
        for row in rows
    )
    return Outcome(
        message=f"Power ({params['target']}, {params['sims']} simulations per n): {best}.",
        result={"params": params, "rows": rows},
        content=table.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        name=f"{job.study.slug}-power.csv",
        content_type="text/csv",
    )
