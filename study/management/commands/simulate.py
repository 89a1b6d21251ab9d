import numpy as np
from django.core.management.base import BaseCommand, CommandError

from study import services
from study.management.commands._study import study_by_slug
from study.services.synthetic import study_simulate


class Command(BaseCommand):
    help = (
        "Enrol and answer with simulated physicians through the same services the pages use "
        "(defaults: Gaube 2021's published rates and its 138:127 radiology to IM/EM split)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--participants", type=int, default=265)
        parser.add_argument("--radiology-share", type=float, default=138 / 265)
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args, study, participants, radiology_share, seed, **options):
        found = study_by_slug(study)
        if participants < 1:
            raise CommandError("--participants must be at least 1.")
        if not 0 <= radiology_share <= 1:
            raise CommandError("--radiology-share must be between 0 and 1.")
        try:
            summary = study_simulate(
                study=found,
                participants=participants,
                radiology_share=radiology_share,
                rng=np.random.default_rng(seed),
            )
        except (services.StudyStateError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Simulated {summary['participants']} participants "
            f"({summary['radiology']} radiology, {summary['non_radiology']} non-radiology), "
            f"{summary['trials']} answered trials in study '{found.slug}'."
        )
