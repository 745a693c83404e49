"""IPython vocabulary for reading Jupyter notebooks (``mldebtlint.engine.notebook``).

Data only: which cell magics run their body as Python, which magic names work
without ``%`` (automagics), which line magics take a Python statement, and the
commands that install packages (MLD301 reads them as a dependency manifest).
"""

from __future__ import annotations

# ``%%time`` and friends run the rest of the cell as ordinary Python: it is linted.
# Every other cell magic (``%%bash``, ``%%sql``, ``%%html``, ``%%writefile``, ...)
# makes the cell something else, and the cell is skipped.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "px"})

# Cell magics whose body is shell script: their ``pip install`` lines are read.
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "system", "script"})

# Line magics whose argument is a Python statement (``%time model.fit(X, y)``),
# with the options of each that take a value (``%timeit -n 10 -r 3 stmt``).
PYTHON_LINE_MAGICS: dict[str, frozenset[str]] = {
    "time": frozenset(),
    "timeit": frozenset({"-n", "-r", "-p"}),
    "prun": frozenset({"-l", "-s", "-T", "-D"}),
    "memit": frozenset({"-r", "-t"}),
}

# Magics IPython runs without the ``%`` prefix (automagic is on by default), plus
# the shell aliases of a POSIX IPython (``ls``, ``cat``...). A line starting with
# one of these followed by an argument is not Python (``cd data``, ``pip install x``).
AUTOMAGICS = frozenset(
    {
        "alias",
        "autoawait",
        "autocall",
        "automagic",
        "autoreload",
        "bookmark",
        "cat",
        "cd",
        "clear",
        "colors",
        "conda",
        "config",
        "cp",
        "dhist",
        "dirs",
        "doctest_mode",
        "env",
        "history",
        "ldir",
        "less",
        "lf",
        "lk",
        "load",
        "load_ext",
        "ls",
        "lsmagic",
        "lx",
        "macro",
        "magic",
        "mamba",
        "man",
        "matplotlib",
        "micromamba",
        "mkdir",
        "more",
        "mv",
        "notebook",
        "page",
        "pastebin",
        "pdb",
        "pdef",
        "pdoc",
        "pfile",
        "pinfo",
        "pinfo2",
        "pip",
        "popd",
        "pprint",
        "precision",
        "prun",
        "psearch",
        "psource",
        "pushd",
        "pwd",
        "pycat",
        "pylab",
        "quickref",
        "recall",
        "rehashx",
        "reload_ext",
        "rerun",
        "reset",
        "reset_selective",
        "rm",
        "rmdir",
        "run",
        "save",
        "sc",
        "set_env",
        "store",
        "sx",
        "system",
        "tb",
        "time",
        "timeit",
        "unalias",
        "unload_ext",
        "who",
        "who_ls",
        "whos",
        "xdel",
        "xmode",
    }
)

# Installer programs whose ``install`` subcommand is a dependency manifest line.
PIP_PROGRAMS = frozenset({"pip", "pip3"})
CONDA_PROGRAMS = frozenset({"conda", "mamba", "micromamba"})
PYTHON_PROGRAMS = frozenset({"python", "python3", "{sys.executable}", "$sys.executable"})

# Options of ``pip install`` / ``conda install`` that consume the next token.
PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--global-option",
        "-C",
        "--config-settings",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--log",
        "--cache-dir",
        "--trusted-host",
        "--proxy",
        "--timeout",
        "--retries",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--report",
        "--only-binary",
        "--no-binary",
        "--python",
    }
)
CONDA_VALUE_OPTIONS = frozenset({"-c", "--channel", "-n", "--name", "-p", "--prefix", "--file"})
