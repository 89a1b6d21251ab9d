"""Regenerate the golden allocation tables. Run ONLY together with a new ENGINE_VERSION: these
files pin the engine's random stream, so that an accidental change to it fails the tests.

    python tests/study/core/golden/make_golden.py
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from study.core.allocation import ENGINE_VERSION, allocation_table  # noqa: E402
from tests.study.core.golden.designs import COLUMNS, DESIGNS, N_SLOTS, STRATA, row  # noqa: E402


def main() -> None:
    for name, spec in DESIGNS.items():
        with (HERE / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for stratum in STRATA:
                for assignment in allocation_table(spec, stratum=stratum, n_slots=N_SLOTS):
                    writer.writerow(row(assignment))
        print(f"{name}.csv written with {ENGINE_VERSION}")


if __name__ == "__main__":
    main()
