"""Issue 12's "Done when", run for real and timed (on demand; needs PostgreSQL and Redis on
127.0.0.1): a site served by gunicorn with a broker, one Celery worker, and a script holding
only an API token that creates a study from the Gaube 2021 template, uploads the demo cases,
opens it, creates 40 invitations, runs `run_bots --participants 40` against the site, watches the
progress, downloads the export bundle and the report made by the worker, and runs
`python -m analysis report` on the bundle's trials.csv; a viewer's token reads all of it and is
refused every change. Prints each phase's seconds and exits non-zero on any failure.

    python tests/bench/done_when.py [--participants 40] [--port 8765]
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "trustlab_done_when"


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout


def _demo_archive(env: dict) -> bytes:
    code = (
        "import django, sys; django.setup();"
        "from tests.study.api.api_world import demo_archive;"
        "sys.stdout.buffer.write(demo_archive('gaube2021'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout


def _job(api: requests.Session, url: str, slug: str, kind: str) -> dict:
    job = api.post(f"{url}/api/studies/{slug}/jobs/", json={"kind": kind})
    assert job.status_code == 202, job.text
    job = job.json()
    while job["status"] in ("queued", "running"):
        time.sleep(0.5)
        job = api.get(f"{url}/api/studies/{slug}/jobs/{job['public_id']}/").json()
    assert job["status"] == "done", job
    return job


def _absolute(url: str, link: str) -> str:
    return f"{url}{link}" if link.startswith("/") else link


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    work = Path(tempfile.mkdtemp(prefix="done-when-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "CELERY_QUEUE": "done-when",
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "1",
        "SECRET_KEY": "done-when-secret",
        "RATELIMIT_ENABLE": "0",  # every bot comes from one address
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="test")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", "-c", (
        "from django.contrib.auth.models import User, Permission;"
        "pi = User.objects.create_user('pi', password='x');"
        "pi.user_permissions.add(Permission.objects.get(codename='add_study'));"
        "User.objects.create_user('statistician', password='x')"
    ))  # fmt: skip
    token = _manage(env, "api_token", "--user", "pi").strip().splitlines()[-1]
    viewer_token = _manage(env, "api_token", "--user", "statistician").strip().splitlines()[-1]
    log = (work / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind",
         f"127.0.0.1:{args.port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q",
         "done-when", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=(work / "worker.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    times: dict[str, float] = {}
    try:
        for _ in range(60):
            try:
                requests.get(f"{url}/api/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {token}"
        start = time.monotonic()
        created = api.post(
            f"{url}/api/studies/",
            json={"template": "gaube2021", "title": "Multi-site advice", "slug": "multi-site"},
        )
        assert created.status_code == 201, created.text
        upload = api.post(
            f"{url}/api/studies/multi-site/cases/",
            files={"archive": ("cases.zip", _demo_archive(env), "application/zip")},
        )
        assert upload.status_code == 202, upload.text
        job = upload.json()
        while job["status"] in ("queued", "running"):
            time.sleep(0.5)
            job = api.get(f"{url}/api/studies/multi-site/jobs/{job['public_id']}/").json()
        assert job["status"] == "done", job
        opened = api.post(f"{url}/api/studies/multi-site/open/")
        assert opened.status_code == 200, opened.text
        invited = api.post(
            f"{url}/api/studies/multi-site/invitations/",
            json={"count": args.participants, "label_prefix": "UKE"},
        )
        assert invited.status_code == 201, invited.text
        times["study, cases (worker), open, invitations"] = time.monotonic() - start

        _manage(env, "pilot_mode", "--study", "multi-site", "--on")
        start = time.monotonic()
        bots = subprocess.Popen(
            [sys.executable, "manage.py", "run_bots", "--study", "multi-site",
             "--participants", str(args.participants), "--concurrency", "4",
             "--base-url", url],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        viewer = requests.Session()
        viewer.headers["Authorization"] = f"Token {viewer_token}"
        seen = []
        while bots.poll() is None:
            progress = api.get(f"{url}/api/studies/multi-site/progress/").json()
            seen.append(progress.get("completed"))
            time.sleep(2)
        output = bots.stdout.read()
        print(output.strip())
        assert bots.returncode == 0, output
        times[f"run_bots --participants {args.participants}"] = time.monotonic() - start
        print(f"progress seen while the bots ran (completed): {seen}")

        start = time.monotonic()
        export = _job(api, url, "multi-site", "export")
        report = _job(api, url, "multi-site", "report")
        times["export and report jobs (worker)"] = time.monotonic() - start
        bundle = zipfile.ZipFile(io.BytesIO(api.get(_absolute(url, export["result_url"])).content))
        (work / "trials.csv").write_bytes(bundle.read("trials.csv"))
        (work / "report.html").write_bytes(api.get(_absolute(url, report["result_url"])).content)
        start = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "analysis", "report", str(work / "trials.csv"), "-o",
             str(work / "analysis-report.html")],
            cwd=ROOT, check=True,
        )  # fmt: skip
        times["python -m analysis report"] = time.monotonic() - start

        members = {"study": "multi-site", "user": "statistician", "role": "viewer"}
        _manage(env, "shell", "-c", (
            "from django.contrib.auth.models import User; from study.models import Study;"
            "Study.objects.get(slug='{study}').memberships.create("
            "user=User.objects.get(username='{user}'), role='{role}')"
        ).format(**members))  # fmt: skip
        reads = [
            viewer.get(f"{url}/api/studies/multi-site/{path}").status_code
            for path in ("", "progress/", "participants/", "jobs/", "audit/", "cases/")
        ]
        writes = [
            viewer.post(f"{url}/api/studies/multi-site/close/").status_code,
            viewer.post(
                f"{url}/api/studies/multi-site/invitations/", json={"count": 1}
            ).status_code,
            viewer.post(
                f"{url}/api/studies/multi-site/cases/",
                files={"archive": ("cases.zip", b"PK", "application/zip")},
            ).status_code,
        ]
        print(f"viewer reads: {reads}; viewer writes: {writes}")
        assert set(reads) == {200}
        assert set(writes) == {403}
        rows = len(bundle.read("trials.csv").decode().splitlines()) - 1
        print(f"trials.csv rows: {rows}; report job: {report['message']}")
        for phase, seconds in times.items():
            print(f"{phase}: {seconds:.1f} s")
        print(f"files in {work}")
        return 0
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
