from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from study import demo, services

ALL = "all"


class Command(BaseCommand):
    help = (
        "Create the demo study of a design template (once; Gaube 2021 by default, 'all' for "
        "every design) and print its invitation links and the login."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--design",
            default="gaube2021",
            help=f"one of {', '.join(demo.DEMO_DESIGNS)}, or {ALL}",
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--invitations", type=int, default=3)
        parser.add_argument("--username", default="researcher")
        parser.add_argument("--password", default="trustlab-demo")

    def handle(self, *args, design, base_url, invitations, username, password, **options):
        designs = demo.DEMO_DESIGNS if design == ALL else (design,)
        for name in designs:
            try:
                demo.demo_design(name)
            except demo.UnknownDemo as unknown:
                raise CommandError(f"{unknown}, or {ALL}") from unknown
        base_url = base_url.rstrip("/")
        owner, _ = services.researcher_ensure(username=username, password=password)
        for name in designs:
            study, created = demo.demo_study_ensure(owner=owner, design=name)
            if created:
                self.stdout.write(f"Created the demo study '{study.slug}'.")
            participants = services.invitations_create(study=study, count=invitations, actor=owner)
            heading = "Participant invitation links"
            if len(designs) > 1:
                heading += f" for '{study.slug}' ({name})"
            self.stdout.write(f"\n{heading}:")
            for participant in participants:
                path = reverse("participant:entry", args=[participant.token])
                self.stdout.write(f"  {base_url}{path}")
            if len(designs) > 1:
                self.stdout.write("")
        self.stdout.write(f"\nResearcher console: {base_url}{reverse('console:home')}")
        self.stdout.write(f"  user: {username}   password: {password} (demo only)\n")
