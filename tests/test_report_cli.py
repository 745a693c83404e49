"""``mldebtlint report`` end to end: formats, --output, gates, --compare, progress."""

from __future__ import annotations

import io
import json

import pytest
from clirunner import invoke, write
from conftest import FIXTURES
from test_report_model import validate

from mldebtlint.commands.report import ProgressBar, want_progress

# One parse error (MLD000, 5 min) in 10 non-blank lines at 1 min/line: ratio 50%, rating D.
CONFIG = """\
[tool.mldebtlint]
select = ["MLD000"]

[tool.mldebtlint.score]
minutes-per-line = 1
ratio = "sqale"
"""


@pytest.fixture
def project(tmp_path):
    clean = "".join(f"value_{index} = {index}\n" for index in range(9))
    return write(tmp_path / "proj", {"pyproject.toml": CONFIG, "broken.py": "def f(:\n", "pkg/clean.py": clean})


def report_json(project, *args):
    result = invoke(["report", project, "--format", "json", *args])
    return result, (json.loads(result.stdout) if result.stdout else None)


def test_json_report_numbers_and_schema(project):
    result, data = report_json(project)
    assert result.exit_code == 0, result.stderr
    validate(data)
    summary = data["summary"]
    assert (summary["debt_minutes"], summary["lines"], summary["minutes_per_line"]) == (5, 10, 1.0)
    assert summary["debt_ratio"] == 0.5 and summary["rating"] == "D"
    assert (summary["findings"], summary["files"]) == (1, 3)
    assert data["items"][0]["code"] == "MLD000" and data["items"][0]["line"] == 1
    assert data["items"][0]["fix"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_other_formats_on_stdout(project, fmt):
    result = invoke(["report", project, "--format", fmt])
    assert result.exit_code == 0, result.stderr
    assert "50.00%" in result.stdout
    assert "[#" not in result.stderr  # never a progress bar when not on a terminal


def test_output_file(project, tmp_path):
    target = tmp_path / "report.html"
    result = invoke(["report", project, "--format", "html", "--output", target])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "report written to" in result.stderr and "rating D" in result.stderr
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--fail-under-rating", "D"], 0, None),
        (["--fail-under-rating", "c"], 1, "rating D is worse than the required C"),
        (["--max-debt-ratio", "0.5"], 0, None),
        (["--max-debt-ratio", "0.49"], 1, "debt ratio 50.00% is above the allowed 49.00%"),
        (["--fail-under-rating", "E", "--max-debt-ratio", "1"], 0, None),
    ],
)
def test_gates(project, args, code, message):
    result = invoke(["report", project, "--format", "json", *args])
    assert result.exit_code == code, result.stderr
    json.loads(result.stdout)  # the report is still printed
    if message:
        assert message in result.stderr


@pytest.mark.parametrize("args", [["--fail-under-rating", "F"], ["--max-debt-ratio", "-1"], ["--format", "pdf"]])
def test_bad_options_exit_2(project, args):
    result = invoke(["report", project, *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("mldebtlint: error:") and len(result.stderr.strip().splitlines()) == 1


def test_compare_with_an_earlier_report(project, tmp_path):
    old = tmp_path / "old.json"
    assert invoke(["report", project, "--format", "json", "-o", old]).exit_code == 0
    (project / "broken.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    (project / "other.py").write_text("x = = 1\n", encoding="utf-8")
    result, data = report_json(project, "--compare", old)
    assert result.exit_code == 0, result.stderr
    trend = data["trend"]
    assert [f["path"].rsplit("/", 1)[-1] for f in trend["new"]] == ["other.py"]
    assert [f["path"].rsplit("/", 1)[-1] for f in trend["fixed"]] == ["broken.py"]
    assert trend["debt_delta"] == 0 and trend["lines_delta"] == 2
    validate(data)
    text = invoke(["report", project, "--compare", old]).stdout
    assert "Trend since" in text and "(1 new, 1 fixed)" in text


def test_compare_with_a_bad_file_exits_2(project, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    for path in (bad, tmp_path / "missing.json"):
        result = invoke(["report", project, "--compare", path])
        assert result.exit_code == 2
        assert str(path.name) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_path_exits_2(tmp_path):
    result = invoke(["report", tmp_path / "nope"])
    assert result.exit_code == 2 and "no such file or directory" in result.stderr


# -- progress --------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_never_for_json(monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # the suite itself runs with CI=true in .ci/run
    assert want_progress("text", FakeTerminal())
    assert want_progress("html", FakeTerminal())
    assert not want_progress("json", FakeTerminal())
    assert not want_progress("text", io.StringIO())


def test_no_progress_in_ci_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert not want_progress("text", FakeTerminal())


def test_progress_bar_draws_after_its_delay_and_clears():
    stream = FakeTerminal()
    bar = ProgressBar(stream, delay=0, width=10)
    bar(5, 10)
    assert "\r[#####.....] 5/10 files" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r")
    quiet = FakeTerminal()
    slow = ProgressBar(quiet, delay=3600)  # a run shorter than the delay stays silent
    slow(1, 2)
    slow.close()
    assert quiet.getvalue() == ""


# -- fixture projects --------------------------------------------------------------

PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("fixture", PROJECTS, ids=lambda p: p.name)
def test_report_on_fixture_projects(fixture):
    result = invoke(["report", fixture])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"mldebtlint report: {fixture.as_posix()}")
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    data = json.loads(invoke(["report", fixture, "--format", "json"]).stdout)
    validate(data)
    assert data["summary"]["lines"] > 0


def test_report_uses_the_results_cache_unless_told_not_to(project, tmp_path):
    first, cold = report_json(project, "--no-cache")
    assert first.exit_code == 0, first.stderr
    assert not (project / ".mldebtlint_cache").exists()
    cache_dir = tmp_path / "cache"
    for _ in range(2):  # the second run is served from the cache
        result, data = report_json(project, "--cache-dir", cache_dir)
        assert result.exit_code == 0, result.stderr
        assert data["summary"] == cold["summary"]
        assert data["items"] == cold["items"]
    assert any(cache_dir.iterdir())


def test_ratio_model_from_config_and_command_line(tmp_path):
    # An ML module with one threshold finding, and a plain utility module.
    ml = "import torch\n\n\ndef decide(model, x):\n    proba = torch.sigmoid(model(x))\n    return proba > 0.8\n"
    util = "".join(f"CONSTANT_{index} = {index}\n" for index in range(40))
    project = write(tmp_path / "proj", {"pyproject.toml": "[tool.mldebtlint]\n", "serve.py": ml, "util.py": util})
    result, data = report_json(project)
    assert result.exit_code == 0, result.stderr
    summary = data["summary"]
    assert summary["ratio_model"] == "ml-code" and summary["debt_minutes"] > 0
    assert (summary["lines"], summary["ml_lines"], summary["ratio_lines"]) == (44, 4, 4)
    result, sqale = report_json(project, "--ratio", "sqale")
    assert sqale["summary"]["ratio_lines"] == 44 and sqale["summary"]["ratio_model"] == "sqale"
    assert sqale["summary"]["debt_ratio"] < summary["debt_ratio"]
    assert sqale["thresholds"]["A"] == 0.05 and data["thresholds"]["A"] == 0.0005
    (project / "pyproject.toml").write_text('[tool.mldebtlint.score]\nratio = "sqale"\n', encoding="utf-8")
    assert report_json(project)[1]["summary"]["ratio_model"] == "sqale"
    (project / "pyproject.toml").write_text('[tool.mldebtlint.score]\nratio = "lines"\n', encoding="utf-8")
    result = invoke(["report", project])
    assert result.exit_code == 2
    assert '\'score.ratio\' must be "ml-code" or "sqale"' in result.stderr and len(result.stderr.splitlines()) == 1
