"""python manage.py invitations --study SLUG --count N [--csv PATH] [--label-prefix X]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study import exports, services
from study.management.commands._study import study_by_slug
from study.services.emails import participant_link, site_url

CSV_COLUMNS = ("public_id", "label", "link")


class Command(BaseCommand):
    help = (
        "Create N invitation links for a study and print one full link per line; --csv also "
        "writes public_id,label,link; --label-prefix labels them PREFIX-001, PREFIX-002..."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--count", required=True, type=int, help="how many links (1-10000)")
        parser.add_argument("--csv", help="also write public_id,label,link to this CSV file")
        parser.add_argument("--label-prefix", default="", help="label the links PREFIX-001...")
        parser.add_argument(
            "--base-url", default="", help="the site's address in the links (default: SITE_URL)"
        )

    def handle(self, *args, study, count, csv, label_prefix, base_url, **options):
        found = study_by_slug(study)
        base_url = (base_url or site_url()).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url must start with http:// or https://, got {base_url!r}.")
        path = Path(csv) if csv else None
        if path is not None and not path.parent.exists():
            raise CommandError(f"Directory '{path.parent}' does not exist.")
        try:
            participants = services.links_create(
                study=found, count=count, label_prefix=label_prefix
            )
        except services.LinkRefused as refused:
            raise CommandError(str(refused)) from refused
        rows = [
            {
                "public_id": p.public_id,
                "label": p.label,
                "link": participant_link(token=p.token, base_url=base_url),
            }
            for p in participants
        ]
        if path is not None:
            partial = path.with_name(path.name + ".partial")
            partial.write_text("".join(exports.csv_lines(CSV_COLUMNS, rows)), encoding="utf-8")
            partial.replace(path)
        for row in rows:
            self.stdout.write(row["link"])
        if path is not None:
            self.stderr.write(f"Wrote {len(rows)} links to {path}.")
