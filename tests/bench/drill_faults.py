"""The faults the drill injects, and the researcher's actions that write to the media folder.

- a gunicorn worker killed with SIGKILL (its requests in flight are cut off);
- every database connection of the drill's database terminated by PostgreSQL
  (pg_terminate_backend), which persistent connections (CONN_MAX_AGE) must survive;
- the media folder full: a size-limited tmpfs filled to the last byte. The participant flow only
  reads media, so the fault is met by a case import (the console's upload) and an export while
  the bots go on."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psycopg2
import requests

from study.core.manifest import REQUIRED_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
IMPORT_SLUG = "drill-import"
RESEARCHER = ("researcher", "trustlab-demo")  # demo_seed's account
MANIFEST_COLUMNS = list(REQUIRED_COLUMNS)


def kill_worker(pids: list[int]) -> int:
    """SIGKILL the first worker; the master starts a new one."""
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


def terminate_backends(admin_dsn: str, database: str) -> int:
    """Terminate every server process of `database` but our own; how many there were."""
    with contextlib.closing(psycopg2.connect(admin_dsn)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(
                "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()) as terminated",
                [database],
            )
            return cursor.fetchone()[0]


def media_mount(folder: Path, size_mb: int) -> str:
    """Mount a tmpfs of `size_mb` at `folder`: '' when done, else why it could not be."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["/bin/mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if done.returncode == 0 else (done.stderr.strip() or "mount failed")


def media_unmount(folder: Path) -> None:
    subprocess.run(["/bin/umount", "-l", str(folder)], capture_output=True, check=False)


def disk_fill(folder: Path) -> int:
    """Write a filler file until the file system says it is full; the bytes written."""
    written, chunk = 0, b"\0" * (1 << 20)
    with (folder / "drill-filler.bin").open("wb", buffering=0) as filler:
        for size in (1 << 20, 1 << 12, 1):
            while True:
                try:
                    written += filler.write(chunk[:size])
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
    return written


def disk_free(folder: Path) -> None:
    (folder / "drill-filler.bin").unlink(missing_ok=True)


def import_study_create(env: dict) -> None:
    """A draft study owned by demo_seed's researcher, to import cases into during the drill."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from study import demo, services\n"
        f"owner = get_user_model().objects.get(username={RESEARCHER[0]!r})\n"
        "study = services.study_create(title='Drill import', slug="
        f"{IMPORT_SLUG!r}, owner=owner, cases_per_participant=2, inaccurate_per_participant=1)\n"
        "for index, (code, label) in enumerate(demo.DIAGNOSES):\n"
        "    services.diagnosis_save(study=study, actor=owner, code=code, label=label,"
        " position=index)\n"
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def import_archive(seeds: tuple[int, ...]) -> bytes:
    """A zip of synthetic radiographs (tests/study/dicom_factory) and its manifest.csv."""
    sys.path.insert(0, str(ROOT))
    from tests.study.dicom_factory import synthetic_chest_dicom

    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(MANIFEST_COLUMNS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for seed in seeds:
            name = f"images/case{seed}.dcm"
            archive.writestr(name, synthetic_chest_dicom(seed=seed, burned_in="NO"))
            case = (f"D{seed}", name, "A patient.", "pneumonia", "Consolidation.", "pneumonia")
            writer.writerow([*case, "Clear lungs.", "normal"])
        archive.writestr("manifest.csv", rows.getvalue())
    return buffer.getvalue()


class Console:
    """A researcher in the console, over HTTP: sign in, upload cases, download an export."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def _csrf(self, path: str) -> str:
        page = self.session.get(self.base_url + path, timeout=60)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return found.group(1) if found else ""

    def sign_in(self) -> int:
        token = self._csrf("/console/login/")
        response = self.session.post(
            self.base_url + "/console/login/",
            data={"username": RESEARCHER[0], "password": RESEARCHER[1]}
            | {"csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=60,
        )
        return response.status_code

    def cases_import(self, archive: bytes) -> tuple[int, str]:
        """(status, what the page says about the import)."""
        path = f"/console/studies/{IMPORT_SLUG}/cases/"
        token = self._csrf(path)
        started = time.monotonic()
        try:
            response = self.session.post(
                self.base_url + path,
                data={"csrfmiddlewaretoken": token},
                files={"archive": ("drill.zip", archive, "application/zip")},
                timeout=120,
            )
        except requests.RequestException as error:
            return 0, f"no answer: {type(error).__name__}"
        page = response.text
        report = page[page.find('id="import-report"') :] if "import-report" in page else page
        found = re.search(r"data-upload-error(?! hidden)[^>]*>(.*?)</div>", page, re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", found.group(1) if found else report).split())
        elapsed = time.monotonic() - started
        return response.status_code, f"{text[:300]} ({elapsed:.1f} s)"

    def export_bundle(self, slug: str) -> tuple[int, int]:
        """(status, bytes) of the study's zip bundle."""
        try:
            response = self.session.get(
                f"{self.base_url}/console/studies/{slug}/export/bundle.zip", timeout=120
            )
        except requests.RequestException:
            return 0, 0
        return response.status_code, len(response.content)
