import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import numpy as np
import pytest

from analysis import study as study_module
from analysis.data import trials_sha256
from analysis.mixed import ModelError
from analysis.report import build_report

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}


class _StrictHTML(HTMLParser):
    """Records every tag and fails on a closing tag that does not match the open one."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _StrictHTML:
    parser = _StrictHTML()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def page(simulated_trials) -> str:
    return build_report(simulated_trials, source_name="export.csv", generated_at=WHEN)


def test_the_report_is_well_formed_html_with_a_language(page):
    parsed = _parse(page)
    assert parsed.problems == []
    assert parsed.stack == []
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_the_report_has_every_section(page):
    parsed = _parse(page)
    sections = [attrs["id"] for tag, attrs in parsed.tags if tag == "section"]
    assert sections == [
        "design",
        "flow",
        "descriptive",
        "figures",
        "models",
        "methods",
        "provenance",
    ]


def test_every_table_has_a_caption_and_column_headers_have_scope(page):
    parsed = _parse(page)
    tags = [tag for tag, _ in parsed.tags]
    assert tags.count("table") == tags.count("caption")
    assert tags.count("table") >= 20
    assert all(attrs.get("scope") in {"col", "row"} for tag, attrs in parsed.tags if tag == "th")


def test_figures_are_inline_svg_with_a_title_and_description(page):
    parsed = _parse(page)
    svgs = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    assert len(svgs) == 3
    assert all(attrs["role"] == "img" for attrs in svgs)
    assert [tag for tag, _ in parsed.tags].count("figcaption") == 3
    for attrs in svgs:
        title_id, desc_id = attrs["aria-labelledby"].split()
        assert f'<title id="{title_id}">' in page
        assert f'<desc id="{desc_id}">' in page


def test_the_report_needs_no_external_assets(page):
    parsed = _parse(page)
    assert not any(tag in {"script", "link", "img", "iframe"} for tag, _ in parsed.tags)
    links = [
        value
        for _, attrs in parsed.tags
        for name, value in attrs.items()
        if name in {"href", "src", "xlink:href"}
    ]
    assert links
    assert all(link.startswith("#") for link in links)
    assert re.findall(r"url\((?!#)", page) == []
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_the_report_states_the_data_hash_and_the_software(page, simulated_trials):
    assert (
        f"{trials_sha256(simulated_trials)} (of the table&#x27;s canonical DATA.md CSV form)"
        in page
    )
    assert "Generated 2026-01-02 03:04 UTC" in page
    for name in ("NumPy", "SciPy", "pandas", "Matplotlib", "Python"):
        assert f'<th scope="row">{name}</th>' in page


def test_the_report_has_model_tables_with_odds_ratios_and_contrasts(page):
    assert re.findall(r"<h3>(.*?)</h3>", page) == [
        "Accuracy",
        "Susceptibility to inaccurate advice",
        "Advice rating and confidence",
        "Response times",
        "Correct decision (binomial GLMM)",
        "Followed the advice (binomial GLMM)",
        "Advice quality rating (LMM, REML)",
        "Confidence in the final diagnosis (LMM, REML)",
    ]
    models = page[page.index('id="models"') : page.index('id="methods"')]
    per_model = [
        "Fit of the {} model",
        "Fixed effects ({}), Wald 95% CIs",
        "Random effects (variance, SD)",
        "Contrasts: effect of the human (vs AI) label",
    ]
    scales = {
        "accuracy": "log-odds; OR: odds ratio",
        "followed": "log-odds; OR: odds ratio",
        "rating": "advice rating points",
        "confidence": "confidence points",
    }
    assert re.findall(r"<caption>(.*?)</caption>", models) == [
        caption.format(model if i == 0 else scale)
        for model, scale in scales.items()
        for i, caption in enumerate(per_model)
    ]
    # odds ratios only for the two logistic models (fixed effects and contrasts of each)
    assert page.count('<th scope="col">OR</th>') == 4
    assert page.count('<th scope="col">SE</th>') == 8
    assert "human vs ai label | stratum=radiology, advice=averaged" in page


def test_the_methods_paragraph_describes_the_models(page):
    methods = page[page.index('id="methods"') : page.index('id="provenance"')]
    text = " ".join(methods.split())
    for phrase in (
        "crossed random intercepts for participants and cases",
        "Laplace approximation",
        "restricted maximum likelihood (REML)",
        "Wald intervals and two-sided z tests",
        "Wilson score 95% confidence intervals",
        "TrustLab analysis",
        "Standard errors of the binomial models: accuracy model: ",
    ):
        assert phrase in text


def test_the_report_is_reproducible_for_a_fixed_time(page, simulated_trials):
    again = build_report(simulated_trials, source_name="export.csv", generated_at=WHEN)
    assert again == page


def test_values_are_escaped(simulated_trials):
    page = build_report(
        simulated_trials,
        title="<script>alert(1)</script> & co",
        source_name='"a.csv"',
        data_sha256="abc123",
        fit_models=False,
        generated_at=WHEN,
    )
    assert "<script>" not in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>" in page
    assert "<code>&quot;a.csv&quot;</code>" in page
    assert "abc123 (of the input file)" in page
    assert "Models were not fitted for this report." in page


def test_a_model_that_cannot_be_fitted_is_reported_not_raised(simulated_trials, monkeypatch):
    def refuse(trials, *, model, formula=None, conf_level=0.95):
        raise ModelError(f"{model}: design matrix is rank deficient")

    monkeypatch.setattr(study_module, "fit_model", refuse)
    page = build_report(simulated_trials, generated_at=WHEN)
    assert page.count("The model could not be fitted:") == 4
    assert "accuracy: design matrix is rank deficient" in page
    assert _parse(page).problems == []


def test_the_default_title_names_the_study(simulated_trials):
    page = build_report(simulated_trials, fit_models=False, generated_at=WHEN)
    assert re.search(r"<h1>TrustLab report: gaube2021-sim</h1>", page)


def test_a_single_stratum_study_without_inaccurate_advice_still_reports():
    # given: a Gaube 2023-style study (all advice accurate), radiologists only
    from analysis.simulate import simulate_trials

    trials = simulate_trials(
        n_radiology=12, n_non_radiology=0, inaccurate=0, rng=np.random.default_rng(8)
    )
    # when
    page = build_report(trials, generated_at=WHEN)
    # then
    assert _parse(page).problems == []
    assert (
        page.count(
            "Note: stratum has a single level in the data (radiology): its terms were dropped"
        )
        == 4
    )
    assert "Model simplifications: advice_correct has a single level in the data (True)" in page
    assert "The model could not be fitted" not in page


def test_no_legend_covers_the_data_of_any_figure(simulated_trials, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from analysis.report import figures

    drawn = []
    render = figures._svg

    def keep(figure, **kwargs):
        drawn.append(figure)
        return render(figure, **kwargs)

    monkeypatch.setattr(figures, "_svg", keep)
    build_report(simulated_trials, generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert len(drawn) == 3
    for figure in drawn:
        renderer = FigureCanvasAgg(figure).get_renderer()
        legends = [legend for ax in figure.axes if (legend := ax.get_legend()) is not None]
        assert legends
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for ax in figure.axes:
                assert not box.overlaps(ax.get_window_extent(renderer))
