from django.core.management.base import BaseCommand

from study.management.commands._study import study_by_slug
from study.services import synthetic_purge


class Command(BaseCommand):
    help = "Delete a study's simulated (synthetic) participants with their trials and answers."

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")

    def handle(self, *args, study, **options):
        found = study_by_slug(study)
        summary = synthetic_purge(study=found)
        self.stdout.write(
            f"Purged {summary['participants']} synthetic participants "
            f"({summary['trials']} trials, {summary['responses']} answers) from '{found.slug}'."
        )
