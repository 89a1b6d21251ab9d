from django.core.management.base import BaseCommand
from django.urls import reverse

from study import demo, services


class Command(BaseCommand):
    help = "Create the Gaube 2021 demo study (once) and print invitation links and the login."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--invitations", type=int, default=3)
        parser.add_argument("--username", default="researcher")
        parser.add_argument("--password", default="trustlab-demo")

    def handle(self, *args, base_url, invitations, username, password, **options):
        base_url = base_url.rstrip("/")
        owner, _ = services.researcher_ensure(username=username, password=password)
        study, created = demo.demo_study_ensure(owner=owner)
        if created:
            self.stdout.write(f"Created the demo study '{study.slug}'.")
        participants = services.invitations_create(study=study, count=invitations, actor=owner)
        self.stdout.write("\nParticipant invitation links:")
        for participant in participants:
            path = reverse("participant:entry", args=[participant.token])
            self.stdout.write(f"  {base_url}{path}")
        self.stdout.write(f"\nResearcher console: {base_url}{reverse('console:home')}")
        self.stdout.write(f"  user: {username}   password: {password} (demo only)\n")
