"""Runs every notebook in this folder top to bottom, headless, against a crosscase output folder.

Usage: python notebooks/run.py OUT  (OUT holds crosscase.sqlite, compare/ and export/)
Exits non-zero when any cell of any notebook fails.
"""

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out").resolve()
    os.environ["CROSSCASE_OUT"] = str(out)
    here = Path(__file__).resolve().parent
    notebooks = sorted(here.glob("*.ipynb"))
    failed = 0
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}})
        try:
            client.execute()
            print(f"ok      {path.name}")
        except Exception as error:  # noqa: BLE001 — every failure is reported, then counted
            failed += 1
            print(f"FAILED  {path.name}\n{error}")
    print(f"notebooks: {len(notebooks) - failed} passed, {failed} failed")
    return 1 if failed or not notebooks else 0


if __name__ == "__main__":
    sys.exit(main())
