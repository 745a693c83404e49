"""MLD301 unpinned-framework over every manifest kind, lock files, constraints,
policies and broken manifests.

Each case is a small project folder: {file name: text}. The file named first
is the one linted; lines expected to be flagged end with ``# expect`` (or, in
formats without comments, are listed explicitly).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import without_internal_errors

from mldebtlint.core.config import Settings
from mldebtlint.engine.runner import RunOptions, run

SELECT = ("MLD301",)


def lint_project(
    tmp_path: Path, files: dict[str, str], target: str | None = None, options: dict | None = None, select=SELECT
):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    settings = Settings(root=str(tmp_path), select=select)
    if options:
        from mldebtlint.core.config import _freeze

        settings = settings.with_cli(rule_options=(("MLD301", _freeze(options)),))
    paths = [tmp_path / (target or next(iter(files)))]
    return list(
        without_internal_errors(run(RunOptions(paths=paths, settings=settings, whole_repo_facts=False))).findings
    )


def flagged(findings, code="MLD301"):
    return [(Path(f.path).name, f.line) for f in findings if f.code == code]


def expect_lines(text: str) -> list[int]:
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return [n for n, line in enumerate(lines, start=1) if line.rstrip().endswith("# expect")]


POSITIVE = {
    "requirements_ranges": (
        "requirements.txt",
        """
        # serving image
        fastapi==0.111.0
        torch>=2.1  # expect
        scikit-learn~=1.5  # expect
        xgboost  # expect
        pandas
    """,
    ),
    "requirements_markers_and_extras": (
        "requirements.txt",
        """
        transformers[torch]>=4.40; python_version >= "3.10"  # expect
        jax[cuda12]>=0.4.30 ; sys_platform == "linux"  # expect
        numpy==1.26.4
    """,
    ),
    "vcs_branch_reference": (
        "requirements.txt",
        """
        git+https://github.com/huggingface/peft.git@main#egg=peft  # expect
        lightgbm @ git+https://github.com/microsoft/LightGBM.git  # expect
    """,
    ),
    "requirements_in_without_compiled_txt": (
        "requirements-train.in",
        """
        lightning>=2.2  # expect
        mlflow  # expect
    """,
    ),
    "constraints_file_itself": (
        "constraints.txt",
        """
        torch<3  # expect
        numpy==1.26.4
    """,
    ),
    "editable_vcs_without_ref": (
        "requirements.txt",
        """
        -e git+https://github.com/dmlc/xgboost.git#egg=xgboost  # expect
    """,
    ),
}

POSITIVE_EXPLICIT = {
    "pyproject_pep621": (
        "pyproject.toml",
        """
        [project]
        name = "churn-service"
        version = "0.3.0"
        dependencies = [
            "torch>=2.1,<2.4",
            "pydantic>=2",
            "scikit-learn==1.5.2",
        ]

        [project.optional-dependencies]
        gpu = ["onnxruntime-gpu>=1.17"]

        [dependency-groups]
        notebooks = ["lightgbm>=4"]
    """,
        [5, 11, 14],
    ),
    "pyproject_poetry": (
        "pyproject.toml",
        """
        [tool.poetry]
        name = "recsys"

        [tool.poetry.dependencies]
        python = "^3.11"
        torch = "^2.3"
        xgboost = "2.0.3"
        transformers = { version = ">=4.40", extras = ["torch"] }

        [tool.poetry.group.dev.dependencies]
        mlflow = "*"
    """,
        [6, 8, 11],
    ),
    "environment_yml_conda_and_pip": (
        "environment.yml",
        """
        name: train
        channels:
          - pytorch
          - conda-forge
        dependencies:
          - python=3.11
          - pytorch=2.3
          - scikit-learn>=1.4
          - xgboost==2.0.3
          - pip
          - pip:
              - transformers>=4.40
              - mlflow==2.14.1
    """,
        [7, 8, 12],
    ),
    "setup_cfg": (
        "setup.cfg",
        """
        [metadata]
        name = feature-pipeline

        [options]
        install_requires =
            pandas>=2
            scikit-learn>=1.3

        [options.extras_require]
        boost = xgboost>=2
    """,
        [7, 10],
    ),
    "setup_py_static": (
        "setup.py",
        """
        from setuptools import find_packages, setup

        BASE = ["numpy>=1.24", "torch>=2.1"]

        setup(
            name="vision-train",
            packages=find_packages(),
            install_requires=BASE + ["timm"],
            extras_require={"export": ["onnx>=1.15"]},
        )
    """,
        [3, 8, 9],
    ),
    "pipfile": (
        "Pipfile",
        """
        [[source]]
        url = "https://pypi.org/simple"
        name = "pypi"

        [packages]
        torch = "*"
        tensorflow = {version = ">=2.15", index = "pypi"}
        requests = "*"
    """,
        [6, 7],
    ),
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_unpinned_framework_in_requirements(tmp_path, name):
    filename, text = POSITIVE[name]
    findings = lint_project(tmp_path, {filename: text})
    assert flagged(findings) == [(filename, line) for line in expect_lines(text)]


@pytest.mark.parametrize("name", sorted(POSITIVE_EXPLICIT))
def test_unpinned_framework_in_other_manifests(tmp_path, name):
    filename, text, lines = POSITIVE_EXPLICIT[name]
    findings = lint_project(tmp_path, {filename: text})
    assert flagged(findings) == [(filename, line) for line in lines]


def test_included_file_is_reported_at_the_include_line(tmp_path):
    files = {
        "requirements.txt": "-r common/base.txt\nfastapi==0.111.0\n",
        "common/base.txt": "torch>=2.0\nnumpy\n",
    }
    findings = lint_project(tmp_path, files)
    assert flagged(findings) == [("requirements.txt", 1)]
    assert "base.txt" in findings[0].message
    # The whole include line: from its first column, with no end column of its own.
    assert findings[0].column == 1


def test_the_ignore_library_policy_turns_the_rule_off_without_a_parse_error(tmp_path):
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.0"]\n'
    }
    both = ("MLD301", "MLD000")
    assert lint_project(tmp_path / "a", files, options={"library-policy": "ignore"}, select=both) == []
    bounded = lint_project(tmp_path / "b", files, options={"library-policy": "upper-bound"}, select=both)
    assert flagged(bounded) == [("pyproject.toml", 7)]


def test_a_dotted_pip_tools_input_is_locked_by_its_compiled_file(tmp_path):
    files = {"requirements.dev.in": "torch>=2.0\n", "requirements.dev.txt": "torch==2.3.1\n"}
    assert lint_project(tmp_path / "a", files) == []
    unlocked = {"requirements.dev.in": "torch>=2.0\n", "requirements.txt": "torch==2.3.1\n"}
    assert flagged(lint_project(tmp_path / "b", unlocked)) == [("requirements.dev.in", 1)]


def test_an_install_command_under_the_upper_bound_policy_asks_for_a_bound(tmp_path):
    files = {"Dockerfile": "FROM python:3.11\nRUN pip install torch>=2.0\n"}
    (finding,) = lint_project(tmp_path, files, options={"policy": "upper-bound"})
    assert "is installed without an upper bound" in finding.message
    assert finding.message.endswith("add a < bound or pin it with ==")


def test_continuation_line_is_reported_at_its_first_line(tmp_path):
    text = 'onnxruntime==1.18.0\ncatboost>=1.2 \\\n    ; python_version >= "3.9"\n'
    findings = lint_project(tmp_path, {"requirements.txt": text})
    assert flagged(findings) == [("requirements.txt", 2)]


def test_message_names_framework_and_requirement(tmp_path):
    findings = lint_project(tmp_path, {"requirements.txt": "scikit-learn>=1.3\n"})
    assert "'scikit-learn'" in findings[0].message and "scikit-learn>=1.3" in findings[0].message
    assert (findings[0].column, findings[0].location.end_column) == (1, 18)


NEGATIVE = {
    "exact_pins": {
        "requirements.txt": "torch==2.3.1\nscikit-learn===1.5.2\nxgboost==2.0.3 ; python_version >= '3.9'\n"
    },
    "non_framework_ranges": {"requirements.txt": "fastapi>=0.110\nrequests\npydantic<3\n"},
    "hashed_requirements": {"requirements.txt": "torch==2.3.1 \\\n    --hash=sha256:0123abcd\n"},
    "poetry_lock_beside": {
        "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\ntorch = "^2.3"\n',
        "poetry.lock": "# lock\n",
    },
    "uv_lock_beside": {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["torch>=2.3"]\n',
        "uv.lock": "version = 1\n",
    },
    "conda_lock_beside": {"environment.yml": "dependencies:\n  - pytorch>=2.1\n", "conda-lock.yml": "version: 1\n"},
    "pipfile_lock_beside": {"Pipfile": '[packages]\ntorch = "*"\n', "Pipfile.lock": "{}\n"},
    "pip_compile_pair": {"requirements.in": "torch>=2.1\n", "requirements.txt": "torch==2.3.1\n"},
    "hashed_sibling_requirements": {
        "requirements-dev.txt": "lightning>=2.2\n",
        "requirements.txt": "lightning==2.3.0 --hash=sha256:ab12\n",
    },
    "constraint_pin_satisfies": {
        "requirements.txt": "-c constraints.txt\ntransformers>=4.40\n",
        "constraints.txt": "transformers==4.46.3\n",
    },
    "pin_in_included_file": {
        "requirements-dev.txt": "-r requirements.txt\ntorch\n",
        "requirements.txt": "torch==2.3.1\n",
    },
    "uv_constraint_dependencies": {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["torch>=2.3"]\n'
        '[tool.uv]\nconstraint-dependencies = ["torch==2.3.1"]\n'
    },
    "conda_exact_forms": {
        "environment.yml": "dependencies:\n  - pytorch=2.3.1\n  - conda-forge::xgboost==2.0.3\n"
        "  - lightgbm 4.3.0\n  - pytorch::torchvision=0.18.1=py311_cu121\n"
    },
    "direct_urls_and_tags": {
        "requirements.txt": "torch @ https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl\n"
        "git+https://github.com/huggingface/transformers.git@v4.46.3#egg=transformers\n"
        "peft @ git+https://github.com/huggingface/peft.git@4d0b4a1c9e1f\n"
    },
    "local_paths_skipped": {
        "requirements.txt": "-e .\n./vendor/torch-fork\n--extra-index-url https://download.pytorch.org/whl/cu121\n"
    },
    "poetry_exact_and_python": {
        "pyproject.toml": '[tool.poetry.dependencies]\npython = ">=3.10"\ntorch = "2.3.1"\n'
        'keras = {version = "3.3.3", optional = true}\n'
    },
    "pipfile_exact": {"Pipfile": '[packages]\ntorch = "==2.3.1"\nlightgbm = {version = "==4.3.0"}\n'},
    "setup_py_dynamic_requirements": {
        "setup.py": "from setuptools import setup\nsetup(name='x', install_requires=open('req.txt').read().splitlines())\n"
    },
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_pinned_or_locked_framework_is_not_flagged(tmp_path, name):
    files = NEGATIVE[name]
    assert lint_project(tmp_path, files) == []


def test_upper_bound_policy_accepts_bounded_ranges(tmp_path):
    text = "torch>=2.1,<2.4\nscikit-learn~=1.5\njax==0.4.*\nxgboost>=2\n"
    findings = lint_project(tmp_path, {"requirements.txt": text}, options={"policy": "upper-bound"})
    assert flagged(findings) == [("requirements.txt", 4)]
    assert "upper bound" in findings[0].message


def test_library_policy_applies_to_packages_with_build_system(tmp_path):
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n[project]\nname = "lib"\n'
        'dependencies = ["torch>=2.1,<3", "numpy"]\n'
    }
    assert flagged(lint_project(tmp_path, files)) == [("pyproject.toml", 5)]
    assert lint_project(tmp_path, files, options={"library-policy": "upper-bound"}) == []
    assert lint_project(tmp_path, files, options={"library-policy": "ignore"}) == []


def test_framework_list_is_configurable(tmp_path):
    files = {"requirements.txt": "torch>=2\nmy-inhouse-ml>=1.0\n"}
    findings = lint_project(tmp_path, files, options={"frameworks": ["my_inhouse.ml"]})
    assert flagged(findings) == [("requirements.txt", 2)]


@pytest.mark.parametrize(
    "files",
    [
        {"pyproject.toml": "[project\nname = 'x'\n"},
        {"environment.yml": "dependencies:\n  - pytorch\n - : [\n"},
        {"Pipfile": "[packages\n"},
        {"setup.cfg": "install_requires = torch\n[options\n"},
        {"setup.py": "from setuptools import setup\nsetup(install_requires=['torch>=2'\n"},
    ],
)
def test_broken_manifest_does_not_crash(tmp_path, files):
    findings = lint_project(tmp_path, files, select=("MLD301", "MLD000"))
    assert flagged(findings) == []
    assert findings and all(f.code == "MLD000" for f in findings)


def test_garbage_line_is_reported_and_the_rest_still_checked(tmp_path):
    text = "torch>>>2\n@@ not a requirement @@\nxgboost>=2\n"
    findings = lint_project(tmp_path, {"requirements.txt": text}, select=("MLD301", "MLD000"))
    assert [(f.code, f.line) for f in findings] == [("MLD000", 1), ("MLD000", 2), ("MLD301", 3)]


def test_entries_reached_through_an_included_manifest_are_reported_there_only(tmp_path):
    files = {
        "requirements-dev.txt": "-r requirements.txt\npytest==8.2.2\n",
        "requirements.txt": "-r common/base.txt\n",
        "common/base.txt": "torch>=2.0\n",
    }
    assert lint_project(tmp_path, files) == []
    assert flagged(lint_project(tmp_path, files, target="requirements.txt")) == [("requirements.txt", 1)]


# -- shapes met in real ML applications ------------------------------------------------


def test_dockerfile_run_pip_install_is_a_manifest(tmp_path):
    files = {
        "Dockerfile": """
            FROM python:3.10-slim
            RUN apt-get update && apt-get install -y libgomp1
            RUN pip install --no-cache-dir lightgbm keras torch \\
                torchvision tensorflow-gpu
            RUN pip install fastapi uvicorn xgboost==2.0.3
            CMD ["python", "serve.py"]
        """,
    }
    findings = lint_project(tmp_path, files)
    assert [(line, dict(f.data)["package"]) for (_, line), f in zip(flagged(findings), findings, strict=True)] == [
        (3, "lightgbm"),
        (3, "keras"),
        (3, "torch"),
        (4, "torchvision"),
        (4, "tensorflow-gpu"),
    ]
    assert "installed without an exact pin" in findings[0].message


def test_dockerfile_pins_and_constraints_satisfy_the_rule(tmp_path):
    files = {
        "Dockerfile": """
            FROM python:3.10-slim
            COPY . /app
            RUN pip install -r /dev/null torch==2.3.1 -c pins.docker transformers
            RUN conda install -c conda-forge pytorch==2.3.1
        """,
        "pins.docker": "transformers==4.44.2\n",
    }
    assert flagged(lint_project(tmp_path, files)) == []
    files["pins.docker"] = "numpy==1.26.4\n"
    assert flagged(lint_project(tmp_path / "twin", files)) == [("Dockerfile", 3)]


def test_dockerfile_requirement_file_that_is_not_a_manifest_is_read(tmp_path):
    files = {
        "Containerfile": """
            FROM python:3.11
            RUN pip install -r deps.docker
        """,
        "deps.docker": "implicit\nflask\n",
    }
    assert flagged(lint_project(tmp_path, files)) == [("Containerfile", 2)]


def test_package_ranges_beside_an_application_manifest_are_the_library_s_business(tmp_path):
    setup = """
        from setuptools import setup
        setup(name="churnsim", install_requires=["scikit-learn>=1.3,<2", "statsmodels"])
    """
    alone = {"setup.py": setup}
    assert [line for _, line in flagged(lint_project(tmp_path / "alone", alone))] == [2, 2]
    beside = {"setup.py": setup, "requirements.txt": "scikit-learn==1.5.2\nstatsmodels==0.14.2\n"}
    assert flagged(lint_project(tmp_path / "beside", beside)) == []


def test_recommender_and_encoder_libraries_are_frameworks(tmp_path):
    files = {"requirements.txt": "implicit\nscikit-surprise>=1.1\ncategory_encoders\nflask\n"}
    assert [line for _, line in flagged(lint_project(tmp_path, files))] == [1, 2, 3]


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    from mldebtlint.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_fixable_findings_are_marked_and_counted(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.mldebtlint]\nselect = ["MLD301"]\n', encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("torch>=2.0\n-r more.txt\n", encoding="utf-8")
    (tmp_path / "more.txt").write_text("xgboost\n", encoding="utf-8")
    _, out, err = _cli(capsys, "check", "--no-cache", ".")
    lines = out.splitlines()
    assert "MLD301 [*] [unpinned-framework]" in lines[0]  # its own line: the pin fix can rewrite it
    assert "MLD301 [unpinned-framework]" in lines[1]  # from an included file: not rewritten here
    summary = (out + err).strip().splitlines()[-1]
    assert summary.startswith("Found ") and summary.endswith("[*] 1 fixable with --fix.")


def test_pin_fix_takes_the_version_of_a_constraints_file_or_says_why_not(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.mldebtlint]\nselect = ["MLD301"]\n', encoding="utf-8")
    (tmp_path / "constraints.txt").write_text("implicit==0.7.2\n", encoding="utf-8")
    manifest = tmp_path / "requirements.txt"
    manifest.write_text("implicit>=0.6\nlightfm\n", encoding="utf-8")
    _, _, err = _cli(capsys, "check", "--no-cache", "--fix", ".")
    assert manifest.read_text(encoding="utf-8") == "implicit==0.7.2\nlightfm\n"
    assert "lightfm" in err and "not installed here" in err  # no silent no-op
