"""Command line: ``python -m analysis describe|fit|report|power|simulate``.

Rule: a thin shell over the package. Bad input of any kind (a broken file, an unknown option, a
model that cannot be fitted) ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from analysis.data import TrialsError, load_trials, trials_to_csv

__all__ = ["main"]

EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage block and exits; the rule here is one line and exit code 2.
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message} (see --help)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return args.handler(args)
    except _UsageError as error:
        return _fail(str(error))
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (TrialsError, ValueError, OSError) as error:
        # ModelError is a ValueError; so are bad --n lists and unknown power targets.
        return _fail(f"analysis: error: {error}")
    except KeyboardInterrupt:
        return _fail("analysis: interrupted")


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)
    return EXIT_BAD_INPUT


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m analysis",
        description="Analyse a TrustLab trials table (DATA.md): describe, fit, report, power.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    describe = commands.add_parser("describe", help="print the descriptive tables")
    describe.add_argument("trials", help="trials table: .csv or .parquet")
    describe.set_defaults(handler=_describe)

    reveal = commands.add_parser("reveal", help="read-then-reveal measures (switch rate ...)")
    reveal.add_argument("trials", help="trials table: .csv or .parquet")
    reveal.add_argument("--json", action="store_true", help="print the tables as JSON")
    reveal.set_defaults(handler=_reveal)

    fit = commands.add_parser("fit", help="fit one of the study's mixed models")
    fit.add_argument("trials", help="trials table: .csv or .parquet")
    fit.add_argument(
        "--model", required=True, choices=["accuracy", "followed", "rating", "confidence"]
    )
    fit.add_argument("--formula", help="override the study formula (lme4 style)")
    fit.add_argument("--json", action="store_true", help="print the result as JSON")
    fit.set_defaults(handler=_fit)

    report = commands.add_parser("report", help="write the HTML report")
    report.add_argument("trials", help="trials table: .csv or .parquet")
    report.add_argument("-o", "--output", required=True, help="HTML file to write")
    report.add_argument("--title", help="report title")
    report.set_defaults(handler=_report)

    power = commands.add_parser("power", help="power by simulation (Gaube 2021 effects)")
    power.add_argument(
        "--n",
        default="50,100,150",
        help="participants per stratum, comma-separated (default 50,100,150)",
    )
    power.add_argument("--sims", type=int, default=200, help="simulations per n (default 200)")
    power.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    power.add_argument("--alpha", type=float, default=0.05)
    power.add_argument("--target", default="rating_source_x_stratum", help=_targets_help())
    power.add_argument("--cases", type=int, default=8, help="cases per participant (default 8)")
    power.add_argument(
        "--inaccurate", type=int, default=2, help="inaccurate advice per participant (default 2)"
    )
    power.add_argument(
        "--effect",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set one simulated effect or SD (repeatable), e.g. rating_human_label_radiology=0.3; "
        "the names are analysis.simulate.GaubeEffects' fields",
    )
    power.add_argument(
        "--goal",
        type=float,
        default=0.8,
        help="power to reach: prints the smallest n (default 0.8)",
    )
    power.add_argument(
        "--jobs", type=int, default=-1, help="studies simulated at once (default -1: one per core)"
    )
    power.add_argument("--quiet", action="store_true", help="no progress bar")
    power.set_defaults(handler=_power)

    simulate = commands.add_parser("simulate", help="write a simulated trials table")
    simulate.add_argument("-o", "--output", required=True, help=".csv or .parquet file to write")
    simulate.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    simulate.add_argument("--n-radiology", type=int, default=138)
    simulate.add_argument("--n-non-radiology", type=int, default=127)
    simulate.set_defaults(handler=_simulate)
    return parser


def _targets_help() -> str:
    return (
        "rating_source_x_stratum (default), rating_label_radiology, "
        "accuracy_source_x_stratum, accuracy_label_inaccurate_radiology"
    )


# --- commands ------------------------------------------------------------------------------------


def _describe(args: argparse.Namespace) -> int:
    from analysis import describe

    trials = load_trials(args.trials)
    sections = [
        ("Participant flow", describe.participant_flow(trials)),
        ("Accuracy (Wilson 95% CI)", describe.accuracy_table(trials)),
        ("Susceptibility to inaccurate advice", describe.susceptibility_table(trials)),
        ("Advice rating", describe.rating_table(trials)),
        ("Confidence", describe.confidence_table(trials)),
        ("Response time (ms)", describe.response_time_table(trials)),
    ]
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        for title, table in sections:
            print(f"== {title} ==")
            print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
            print()
    return 0


def _reveal(args: argparse.Namespace) -> int:
    from analysis import reveal
    from analysis.mixed import ModelError

    trials = load_trials(args.trials)
    tables = {
        "switch": reveal.switch_table(trials),
        "accuracy_by_phase": reveal.accuracy_by_phase(trials),
    }
    try:
        tables["confidence_change"] = reveal.confidence_change(trials)
    except ModelError as error:
        tables["confidence_change"] = pd.DataFrame()
        print(f"note: {error}", file=sys.stderr)
    try:
        model = reveal.phase_model(trials)
    except ModelError as error:
        model = None
        print(f"note: the phase GLMM was not fitted: {error}", file=sys.stderr)
    if args.json:
        payload = {name: table.to_dict(orient="records") for name, table in tables.items()}
        payload["phase_model"] = model.to_dict() if model is not None else None
        print(json.dumps(_json_ready(payload), indent=2, allow_nan=False))
        return 0
    titles = {
        "switch": "Switch to the advice, and leaving agreeing advice (Wilson 95% CI)",
        "accuracy_by_phase": "Accuracy of the unaided and the final diagnosis (Wilson 95% CI)",
        "confidence_change": "Confidence change, final minus unaided (t 95% CI)",
    }
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        for name, table in tables.items():
            if len(table):
                print(f"== {titles[name]} ==")
                print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
                print()
        if model is not None:
            print("== Correct diagnosis by phase x advice correctness (binomial GLMM) ==")
            print(model.fixed_table().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def _fit(args: argparse.Namespace) -> int:
    from analysis.fits import fit_model, study_contrasts
    from analysis.mixed import NotEstimable

    trials = load_trials(args.trials)
    try:
        fit = fit_model(trials, model=args.model, formula=args.formula)
    except NotEstimable as error:
        # The data's answer, not a usage error: said as the report says it, with the model named.
        raise NotEstimable(f"the {args.model} model cannot be fitted: {error}") from None
    result = fit.result
    contrasts = study_contrasts(fit)
    if args.json:
        # The result's own serialisation, plus what the study layer decided around it.
        payload = {
            "model": fit.model,
            **result.to_dict(),
            "notes": list(fit.notes),
            "contrasts": contrasts.to_dict(orient="records"),
        }
        print(json.dumps(_json_ready(payload), indent=2, allow_nan=False))
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(f"model: {fit.model}  ({result.method}, {result.family})")
        print(f"formula: {fit.formula}")
        groups = ", ".join(f"{name} {count}" for name, count in result.n_groups)
        print(f"observations: {result.n_obs}  groups: {groups}")
        print(
            f"log-likelihood: {result.log_likelihood:.4f}  AIC: {result.aic:.2f}  "
            f"converged: {result.converged}  singular: {result.singular}"
        )
        for note in (*fit.notes, *result.warnings):
            print(f"note: {note}")
        print()
        print(result.fixed_table().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        print()
        for effect in result.random_effects:
            print(
                f"random effect ({effect.term} | {effect.group}): "
                f"variance {effect.variance:.4f}, sd {effect.sd:.4f}"
            )
        for pair in result.correlations:
            print(
                f"correlation ({pair.term1}, {pair.term2} | {pair.group}): {pair.correlation:.4f}"
            )
        if result.residual_variance is not None:
            print(f"residual variance: {result.residual_variance:.4f}")
        if len(contrasts):
            print()
            shown = contrasts.drop(columns=["stratum", "advice"]).dropna(axis=1, how="all")
            print(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def _report(args: argparse.Namespace) -> int:
    from analysis.report import build_report

    path = Path(args.trials)
    trials = load_trials(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    page = build_report(trials, title=args.title, source_name=path.name, data_sha256=digest)
    Path(args.output).write_text(page, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _power(args: argparse.Namespace) -> int:
    from analysis.power import power_curve

    try:
        sizes = [int(part) for part in args.n.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--n must be comma-separated integers, got {args.n!r}") from None
    if not 0 < args.goal < 1:
        raise ValueError(f"--goal must be between 0 and 1, got {args.goal}")
    table = power_curve(
        participants_per_stratum=sizes,
        n_sims=args.sims,
        alpha=args.alpha,
        target=args.target,
        seed=args.seed,
        cases=args.cases,
        inaccurate=args.inaccurate,
        effects=_effects(args.effect),
        progress=not args.quiet,
        jobs=args.jobs,
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    reached = table[table["power"] >= args.goal]
    if len(reached):
        print(f"smallest n per stratum with power >= {args.goal:g}: {int(reached['n'].min())}")
    else:
        print(f"no n tried reached power {args.goal:g}: try larger --n")
    return 0


def _effects(settings: list[str]):
    """GaubeEffects with the NAME=VALUE settings of --effect applied (unknown names refused)."""
    import dataclasses

    from analysis.simulate import GaubeEffects

    names = {field.name for field in dataclasses.fields(GaubeEffects)}
    changes: dict[str, float] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        name = name.strip()
        if not equals or name not in names:
            known = ", ".join(sorted(names))
            raise ValueError(f"--effect {setting!r}: expected NAME=VALUE with NAME one of {known}")
        try:
            changes[name] = float(value)
        except ValueError:
            raise ValueError(f"--effect {setting!r}: {value!r} is not a number") from None
        if not np.isfinite(changes[name]):
            raise ValueError(f"--effect {setting!r}: the value must be finite")
        if name.endswith("_sd") and changes[name] < 0:
            raise ValueError(f"--effect {setting!r}: a standard deviation cannot be negative")
        if name.endswith("_share") and not 0 <= changes[name] <= 1:
            raise ValueError(f"--effect {setting!r}: a share must be between 0 and 1")
    return dataclasses.replace(GaubeEffects(), **changes)


def _simulate(args: argparse.Namespace) -> int:
    from analysis.simulate import simulate_trials

    trials = simulate_trials(
        n_radiology=args.n_radiology,
        n_non_radiology=args.n_non_radiology,
        rng=np.random.default_rng(args.seed),
    )
    output = Path(args.output)
    if output.suffix.lower() in {".parquet", ".pq"}:
        trials.to_parquet(output, index=False)
    else:
        output.write_text(trials_to_csv(trials), encoding="utf-8")
    print(f"wrote {len(trials)} trials to {output}", file=sys.stderr)
    return 0


def _json_ready(value: object) -> object:
    """Plain JSON values: numpy scalars unwrapped, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
