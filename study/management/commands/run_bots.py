from django.core.management.base import BaseCommand, CommandError

from study import services
from study.bots import ENTRIES, bots_run, report_lines
from study.management.commands._study import study_by_slug
from study.services.invitations import MAX_INVITATIONS


class Command(BaseCommand):
    help = (
        "Bots take part in a study over real HTTP as browsers do (forms, CSRF, redirects, "
        "images), answering as the simulate command's simulated physicians, flagged synthetic "
        "(a demo or a study in pilot mode only). Reports completed, failed and stuck bots with "
        "the page each stopped on; exits 1 when any did not complete. Every bot comes from "
        "this machine's address: for large runs against a site with rate limits, set "
        "RATELIMIT_ENABLE=0 there (bots wait out a 429 as Retry-After says)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--participants", type=int, required=True)
        parser.add_argument("--concurrency", type=int, default=4, help="bots at once (threads)")
        parser.add_argument(
            "--base-url",
            help="the site to drive (default: this process serves it on a free local port)",
        )
        parser.add_argument(
            "--entry",
            choices=ENTRIES,
            default="invitations",
            help="fresh synthetic invitations (default) or the study's open enrolment link",
        )
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--timeout", type=float, default=300.0, help="seconds a bot may take in all"
        )

    def handle(self, *args, study, participants, concurrency, base_url, entry, **options):
        found = study_by_slug(study)
        if not 1 <= participants <= MAX_INVITATIONS:
            raise CommandError(f"--participants must be between 1 and {MAX_INVITATIONS}.")
        if not 1 <= concurrency <= 64:
            raise CommandError("--concurrency must be between 1 and 64.")
        if options["timeout"] <= 0:
            raise CommandError("--timeout must be more than 0 seconds.")
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://.")
        try:
            report = bots_run(
                study=found,
                participants=participants,
                concurrency=concurrency,
                base_url=base_url,
                entry=entry,
                seed=options["seed"],
                timeout=options["timeout"],
            )
        except (services.StudyStateError, ValueError) as error:
            raise CommandError(str(error)) from error
        for line in report_lines(report):
            self.stdout.write(line)
        if not report.succeeded:
            unfinished = len(report.results) - len(report.with_outcome("completed"))
            raise CommandError(f"{unfinished} of {participants} bots did not complete.")
