"""Benchmark: dicom_process on synthetic 2560 x 2048 16-bit CR radiographs (issue 3, point 6).

    python tests/bench/bench_imaging.py [--cases 100] [--transfer-syntax 1.2.840.10008.1.2.1]

Prints seconds per case (wall mean, median, p95; CPU mean across all threads) and peak memory.
Target on a 2-core machine: <= 0.3 s wall per uncompressed case. Figures only, never pass/fail:
wall time depends on what else the machine is doing, so the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pydicom import uid

from study.core.imaging import dicom_process
from tests.study.dicom_factory import synthetic_chest_dicom

ROWS, COLUMNS, BITS_STORED = 2560, 2048, 16
SECRET = b"benchmark-secret-benchmark-secret"


def synthetic_case(seed: int, transfer_syntax: str) -> bytes:
    return synthetic_chest_dicom(
        rows=ROWS,
        columns=COLUMNS,
        bits_stored=BITS_STORED,
        photometric="MONOCHROME1" if seed % 2 else "MONOCHROME2",
        modality="CR",
        seed=seed,
        transfer_syntax=transfer_syntax,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--transfer-syntax", default=str(uid.ExplicitVRLittleEndian))
    arguments = parser.parse_args()
    transfer_syntax = arguments.transfer_syntax

    warm_up = synthetic_case(10_000, transfer_syntax)
    print(
        f"{arguments.cases} synthetic {COLUMNS} x {ROWS} {BITS_STORED}-bit CR files, "
        f"{len(warm_up) / 1e6:.1f} MB each, {uid.UID(transfer_syntax).name}"
    )
    dicom_process(warm_up, filename="warm-up.dcm", uid_secret=SECRET)  # imports, plugin load
    walls, cpus, synthesis = [], [], 0.0
    for case in range(arguments.cases):
        # Each case is a distinct image, made just before it is processed (not timed) so that
        # only one upload is held in memory at a time, as in the import service.
        started = time.perf_counter()
        data = synthetic_case(case, transfer_syntax)
        synthesis += time.perf_counter() - started
        wall, cpu = time.perf_counter(), time.process_time()
        dicom_process(data, filename=f"case-{case:03d}.dcm", uid_secret=SECRET)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)

    tracemalloc.start()
    dicom_process(warm_up, filename="traced.dcm", uid_secret=SECRET)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    walls_sorted = sorted(walls)
    p95 = walls_sorted[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    print(f"synthesis (not timed): {synthesis / len(walls):.2f} s/case")
    print(f"cases: {len(walls)}   cores: {os.cpu_count()}   load average: {os.getloadavg()}")
    print(
        f"wall s/case: mean {statistics.fmean(walls):.3f}  median {statistics.median(walls):.3f}"
        f"  p95 {p95:.3f}  min {walls_sorted[0]:.3f}"
    )
    print(f"cpu  s/case (all threads): mean {statistics.fmean(cpus):.3f}")
    print(f"peak traced memory during one case: {traced_peak / 1e6:.0f} MB (Python and numpy)")
    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process max RSS: {max_rss_kb / 1e3:.0f} MB (interpreter, libraries, one upload)")


if __name__ == "__main__":
    main()
