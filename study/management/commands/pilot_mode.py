from django.core.management.base import BaseCommand

from study.management.commands._study import study_by_slug
from study.services import study_pilot_mode_set


class Command(BaseCommand):
    help = (
        "Turn a study's pilot mode on or off. In pilot mode simulated participants (simulate) "
        "may be added; they are flagged synthetic and left out of exports unless asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        state = parser.add_mutually_exclusive_group(required=True)
        state.add_argument("--on", action="store_true", dest="enabled")
        state.add_argument("--off", action="store_false", dest="enabled")

    def handle(self, *args, study, enabled, **options):
        found = study_pilot_mode_set(study=study_by_slug(study), enabled=enabled)
        self.stdout.write(f"Pilot mode of '{found.slug}' is {'on' if found.pilot_mode else 'off'}.")
