"""The report's sections, each rendered from a StudyAnalysis to an HTML fragment.

Rule: rendering only. Every number comes from the StudyAnalysis (tables, fits, contrasts); no
section reads the trials table or fits a model.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from analysis.fits import StudyFit
from analysis.study import StudyAnalysis

from . import figures
from .markup import counts_text, key_value_table, percent, table

__all__ = ["descriptive", "design", "figures_section", "flow", "methods", "models", "provenance"]

MODEL_TITLES = {
    "accuracy": "Correct decision (binomial GLMM)",
    "followed": "Followed the advice (binomial GLMM)",
    "rating": "Advice quality rating (LMM, REML)",
    "confidence": "Confidence in the final diagnosis (LMM, REML)",
}

_SE_METHODS = {
    "hessian": "inverse Hessian of the Laplace deviance with respect to (θ, β), as glmer's default",
    "conditional": "θ-conditional, from the penalised IRLS system (lme4's use.hessian = FALSE), "
    "because the Hessian was not positive definite",
}


def design(analysis: StudyAnalysis) -> str:
    summary = analysis.design
    strata = ", ".join(f"{s}: {n}" for s, n in summary.participants_by_stratum)
    items = [
        ("Studies", ", ".join(summary.studies)),
        ("Participants", f"{summary.participants} ({strata})"),
        (
            "Between-subject arms (label shown)",
            ", ".join(f"{arm} ({labels})" for arm, labels in summary.arms),
        ),
        ("Cases", f"{summary.cases} distinct"),
        ("Test trials", f"{summary.trials} (training trials excluded)"),
        ("Cases per participant", counts_text(summary.cases_per_participant)),
        ("Inaccurate advice per participant", counts_text(summary.inaccurate_per_participant)),
    ]
    return key_value_table(items, caption="Design summary") + _limits(analysis)


def _limits(analysis: StudyAnalysis) -> str:
    """What these data cannot show, in plain words (empty when they can show everything)."""
    if not analysis.limits:
        return ""
    listed = "".join(f"<li>{html.escape(limit)}</li>" for limit in analysis.limits)
    return f'<div class="note"><p>What these data cannot show:</p><ul>{listed}</ul></div>'


def flow(analysis: StudyAnalysis) -> str:
    rows = analysis.flow
    total = {
        "stratum": "total",
        "arm": "",
        "advice_source": "",
        "participants": int(rows["participants"].sum()),
        "trials": int(rows["trials"].sum()),
        "inaccurate_trials": int(rows["inaccurate_trials"].sum()),
        "cases": analysis.design.cases,
    }
    rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    return table(rows, caption="Participants and test trials per stratum and arm")


def descriptive(analysis: StudyAnalysis) -> str:
    shares = ["share", "ci_low", "ci_high"]
    parts = [
        "<h3>Accuracy</h3>",
        table(
            percent(analysis.accuracy, ["proportion", "ci_low", "ci_high"]),
            caption="Accuracy by stratum, advice label and advice correctness "
            "(n trials, k correct, percentage with Wilson 95% CI)",
        ),
        "<h3>Susceptibility to inaccurate advice</h3>",
        "<p>Share of participants who followed the inaccurate advice in all, some or none of "
        "their inaccurate cases (Gaube et al. 2021 reported 27.54 % / 41.73 % \u201call\u201d and "
        "28.26 % / 17.32 % \u201cnone\u201d for radiologists / IM-EM physicians).</p>",
        table(
            percent(analysis.susceptibility, shares),
            caption="Susceptibility by stratum (k participants of n, percentage with Wilson "
            "95% CI)",
        ),
        table(
            percent(analysis.susceptibility_by_label, shares),
            caption="Susceptibility by stratum and advice label",
        ),
        "<h3>Advice rating and confidence</h3>",
        table(analysis.ratings, caption="Advice quality rating (mean, SD, median)"),
        table(analysis.confidence, caption="Confidence in the final diagnosis (mean, SD, median)"),
        "<h3>Response times</h3>",
        table(
            analysis.response_times,
            caption="Response time in ms (median, quartiles, interquartile range)",
        ),
    ]
    reveal = analysis.reveal
    captions = {
        "switch": "Switched to the advice (unaided diagnosis differed from it), and left advice "
        "that agreed with the unaided diagnosis (percentage with Wilson 95% CI)",
        "accuracy_by_phase": "Accuracy of the unaided and of the final diagnosis (percentage "
        "with Wilson 95% CI)",
        "confidence_change": "Confidence change, final minus unaided (mean, SD, t 95% CI)",
    }
    if reveal:
        parts.append("<h3>Read-then-reveal</h3>")
        for name, caption in captions.items():
            if name in reveal:
                shown = reveal[name]
                if "proportion" in shown.columns:
                    shown = percent(shown, ["proportion", "ci_low", "ci_high"])
                parts.append(table(shown, caption=caption))
    return "\n".join(parts)


def figures_section(analysis: StudyAnalysis) -> str:
    items = [
        (
            figures.accuracy_figure(analysis.accuracy),
            "Figure 1. Proportion of correct decisions by advice correctness and label, per "
            "stratum, with Wilson 95% confidence intervals.",
        ),
        (
            figures.rating_figure(analysis.ratings),
            "Figure 2. Mean advice quality rating by advice correctness and label, per stratum, "
            "with normal-approximation 95% confidence intervals (trial level).",
        ),
        (
            figures.susceptibility_figure(analysis.susceptibility),
            "Figure 3. Share of participants who followed all, some or none of their inaccurate "
            "advice, per stratum, with Wilson 95% confidence intervals.",
        ),
    ]
    return "\n".join(
        f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"
        for svg, caption in items
    )


def models(analysis: StudyAnalysis) -> str:
    if not analysis.models_fitted:
        return "<p>Models were not fitted for this report.</p>"
    parts = [_limits(analysis)] if analysis.limits else []
    # A model that could not be fitted says why under its own heading, not twice.
    unfitted = {
        f"{model} model could not be fitted: {fit}"
        for model, fit in analysis.fits.items()
        if isinstance(fit, str)
    }
    warnings = [warning for warning in analysis.warnings if warning not in unfitted]
    if warnings:
        listed = "".join(f"<li>{html.escape(warning)}</li>" for warning in warnings)
        parts.append(f'<div class="note"><p>Warnings:</p><ul>{listed}</ul></div>')
    for model, fit in analysis.fits.items():
        parts.append(f"<h3>{html.escape(MODEL_TITLES[model])}</h3>")
        if isinstance(fit, str):
            parts.append(f'<p class="error">The model could not be fitted: {html.escape(fit)}</p>')
        else:
            parts.extend(_model(fit, analysis.contrasts[model]))
    return "\n".join(parts)


def _model(fit: StudyFit, contrasts: pd.DataFrame) -> list[str]:
    result = fit.result
    parts = [f"<p>Formula: <code>{html.escape(fit.formula)}</code></p>"]
    for note in (*fit.notes, *result.warnings):
        parts.append(f'<p class="note">Note: {html.escape(note)}</p>')
    info = [
        ("Observations", str(result.n_obs)),
        ("Groups", ", ".join(f"{name}: {count}" for name, count in result.n_groups)),
        ("Method", f"{result.method} ({result.family})"),
        ("Log-likelihood", f"{result.log_likelihood:.3f}"),
        ("AIC / BIC", f"{result.aic:.2f} / {result.bic:.2f}"),
        ("Converged", "yes" if result.converged else "NO"),
        ("Max |gradient|", f"{result.max_abs_gradient:.2g}"),
        ("Singular fit", "yes" if result.singular else "no"),
        ("Standard errors", result.se_method),
    ]
    parts.append(key_value_table(info, caption=f"Fit of the {fit.model} model"))
    if result.family == "binomial":
        scale = "log-odds; OR: odds ratio"
    else:
        scale = f"{fit.response.replace('_', ' ')} points"
    parts.append(
        table(
            result.fixed_table(),
            caption=f"Fixed effects ({scale}), Wald {result.conf_level:.0%} CIs",
        )
    )
    random = pd.DataFrame(
        [
            {"group": r.group, "term": r.term, "variance": r.variance, "sd": r.sd}
            for r in result.random_effects
        ]
    )
    if result.residual_variance is not None:
        residual = {
            "group": "residual",
            "term": "",
            "variance": result.residual_variance,
            "sd": float(np.sqrt(result.residual_variance)),
        }
        random = pd.concat([random, pd.DataFrame([residual])], ignore_index=True)
    parts.append(table(random, caption="Random effects (variance, SD)"))
    if result.correlations:
        correlations = pd.DataFrame(
            [
                {
                    "group": c.group,
                    "term 1": c.term1,
                    "term 2": c.term2,
                    "correlation": c.correlation,
                }
                for c in result.correlations
            ]
        )
        parts.append(table(correlations, caption="Correlations of the random effects"))
    if not len(contrasts):
        parts.append('<p class="note">No label contrasts: the model has a single advice label.</p>')
    else:
        if result.family != "binomial":
            contrasts = contrasts.drop(columns=["odds_ratio", "or_ci_low", "or_ci_high"])
        parts.append(
            table(
                contrasts.drop(columns=["stratum", "advice"]),
                caption="Contrasts: effect of the human (vs AI) label",
            )
        )
    return parts


def methods(analysis: StudyAnalysis) -> str:
    fitted = analysis.fitted()
    se_methods = [
        f"{model} model: {_SE_METHODS.get(fit.result.se_method, fit.result.se_method)}"
        for model, fit in fitted.items()
        if fit.result.family == "binomial"
    ]
    notes = sorted({note for fit in fitted.values() for note in fit.notes})
    text = [
        f"The analysis used the {analysis.design.trials} test trials of "
        f"{analysis.design.participants} participants (training trials excluded). "
        "Proportions are reported with Wilson score 95% confidence intervals. Susceptibility "
        "was classified per participant as having followed all, some or none of the inaccurate "
        "advice they received (following: final diagnosis equal to the advised diagnosis).",
    ]
    if fitted:
        text.append(
            "Correct decisions (accepting or modifying accurate advice, rejecting inaccurate "
            "advice) and following the advice were analysed with binomial generalised linear "
            "mixed models with a logit link; advice quality ratings and confidence with linear "
            "mixed models. All models had fixed effects for advice correctness, advice label "
            "(AI vs human) and stratum with all their interactions (treatment coding, reference "
            "levels inaccurate advice, AI label and the alphabetically first stratum) and crossed "
            "random intercepts for participants and cases. The binomial models were fitted by "
            "maximum likelihood with the Laplace approximation to the marginal likelihood "
            "(as lme4's glmer with nAGQ = 1); the linear models by restricted maximum likelihood "
            "(REML)."
        )
        if se_methods:
            text.append("Standard errors of the binomial models: " + "; ".join(se_methods) + ".")
        text.append(
            "Confidence intervals and p values are Wald intervals and two-sided z tests; odds "
            "ratios are the exponentiated log-odds estimates and interval limits. The effect of "
            "the human (vs AI) label was estimated within each stratum, averaged over accurate "
            "and inaccurate advice with equal weights and within each, and its difference "
            "between strata, as linear contrasts of the fixed effects."
        )
    if notes:
        text.append("Model simplifications: " + "; ".join(notes) + ".")
    software = dict(analysis.software)
    text.append(
        f"Software: TrustLab analysis {software['TrustLab analysis']} (own implementation of the "
        f"mixed models on NumPy {software['NumPy']} and SciPy {software['SciPy']}), pandas "
        f"{software['pandas']}, Matplotlib {software['Matplotlib']}, Python "
        f"{software['Python']}."
    )
    return "<p>" + html.escape(" ".join(text)) + "</p>"


def provenance(analysis: StudyAnalysis) -> str:
    items = [
        ("Data sha256", f"{analysis.data_sha256} (of the {analysis.data_sha256_of})"),
        ("Test trials analysed", str(analysis.n_rows)),
        *analysis.software,
    ]
    return key_value_table(items, caption="Software versions and data checksum", code=True)
