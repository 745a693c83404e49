"""The libcst floors a libcst linter cannot beat: parse only, or parse + walk.

    python bench/floor.py parse|walk DIR [--jobs N]

Parses every ``.py`` file under DIR with ``libcst.parse_module`` in a pool of
N processes (files sorted by size, largest first, so both cores stay busy);
``walk`` also visits every node once with a do-nothing visitor. Prints the
number of files parsed and failed. Used by ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor


def _files(folder: str) -> list[str]:
    found = []
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(os.path.join(current, name) for name in filenames if name.endswith(".py"))
    return sorted(found, key=lambda path: -os.path.getsize(path))


def _work(args: tuple[str, bool]) -> bool:
    import libcst

    path, walk = args
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        module = libcst.parse_module(raw)
    except Exception:
        return False
    if walk:
        module.visit(libcst.CSTVisitor())
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("parse", "walk"))
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = _files(args.folder)
    work = [(path, args.mode == "walk") for path in files]
    if args.jobs == 1:
        results = [_work(item) for item in work]
    else:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(_work, work, chunksize=1))
    print(f"{len(files)} files, {results.count(False)} failed", file=sys.stderr)


if __name__ == "__main__":
    main()
