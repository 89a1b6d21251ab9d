"""Power simulation as a job: parameters checked before anything is queued, progress per
simulated study, the table as JSON and CSV."""

import pytest

from study import services
from study.models import Job
from study.services.power_runs import power_params
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    return gaube_study(owner=UserFactory(username="planner"))


def test_given_a_small_plan_then_the_power_job_stores_its_table_and_counted_every_study(study):
    owner = study.memberships.get().user
    job = services.job_start(
        study=study,
        kind="power",
        actor=owner,
        params={"n": "4,6", "sims": "3", "seed": "7", "target": "rating_label_radiology"},
    )

    assert job.status == "done", job.message
    assert (job.progress_done, job.progress_total) == (6, 6)
    assert job.result["params"] == {
        "n": [4, 6],
        "sims": 3,
        "seed": 7,
        "alpha": 0.05,
        "target": "rating_label_radiology",
        "cases": 8,
        "inaccurate": 2,
    }
    rows = job.result["rows"]
    assert [(row["n"], row["n_sims"]) for row in rows] == [(4, 3), (6, 3)]
    assert all(row["n_significant"] <= row["n_converged"] <= 3 for row in rows)
    with job.result_file.open("rb") as stored:
        lines = stored.read().decode().splitlines()
    assert lines[0] == "target,n,n_sims,n_converged,n_significant,power,mc_ci_low,mc_ci_high"
    assert len(lines) == 3
    assert job.message.startswith("Power (rating_label_radiology, 3 simulations per n): n=4: ")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n": "50,x"}, "n must be whole numbers separated by commas, got '50,x'."),
        (
            {"n": "1"},
            "n must list 1 to 10 sizes, each from 2 to 2000 participants per stratum; got '1'.",
        ),
        ({"sims": "0"}, "sims must be from 1 to 2000, got 0."),
        ({"sims": True}, "sims must be a whole number, got True."),
        ({"seed": "-1"}, "seed must be from 0 to 4294967295, got -1."),
        ({"alpha": "nan"}, "alpha must be between 0 and 1, got nan."),
        ({"alpha": "often"}, "alpha must be a number, got 'often'."),
        (
            {"target": "luck"},
            "target must be one of rating_source_x_stratum, rating_label_radiology, "
            "accuracy_source_x_stratum, accuracy_label_inaccurate_radiology; got 'luck'.",
        ),
    ],
)
def test_given_a_bad_parameter_then_no_job_is_made_and_the_reason_names_it(study, params, message):
    with pytest.raises(services.JobRefused) as refused:
        services.job_start(study=study, kind="power", params=params)
    assert str(refused.value) == message
    assert not Job.objects.filter(study=study).exists()


def test_given_no_parameters_then_the_defaults_and_the_studys_design_are_used(study):
    study.cases_per_participant, study.inaccurate_per_participant = 6, 1
    assert power_params(study=study, params={}) == {
        "n": [50, 100, 150],
        "sims": 200,
        "seed": 2021,
        "alpha": 0.05,
        "target": "rating_source_x_stratum",
        "cases": 6,
        "inaccurate": 1,
    }
