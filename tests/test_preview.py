"""The preview gate (SPEC section 6): new rules run only with --preview or
``preview = true``, or when selected by their exact code or name (with a notice)."""

from __future__ import annotations

import json

import pytest
from clirunner import invoke, write

from mldebtlint.commands.catalog import explain_text, markdown_table
from mldebtlint.core.catalog import load_catalog, parse_entry
from mldebtlint.core.config import Settings
from mldebtlint.core.selection import enabled_codes, preview_selected_exactly

PREVIEW_RULES = {"MLD104", "MLD501", "MLD601", "MLD701", "MLD702"}
LEAKY_PATH = 'import pandas as pd\n\ntrain = pd.read_csv("/home/alice/churn/train.csv")\n'
CLEAN_PATH = 'import pandas as pd\n\ntrain = pd.read_csv("data/train.csv")\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, {"mldebtlint.toml": "", "load.py": LEAKY_PATH, "clean.py": CLEAN_PATH})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes(result) -> list[str]:
    return sorted(item["code"] for item in json.loads(result.stdout))


def test_the_new_rules_are_in_preview():
    catalog = load_catalog()
    assert {code for code, entry in catalog.items() if entry.preview} == PREVIEW_RULES


def test_preview_rules_are_off_by_default_and_on_with_preview():
    default = enabled_codes(None)
    assert not default & PREVIEW_RULES
    assert enabled_codes(None, preview=True) >= PREVIEW_RULES | default


def test_a_prefix_or_all_never_enables_a_preview_rule_by_itself():
    assert "MLD104" not in enabled_codes(("MLD1",))
    assert "MLD101" in enabled_codes(("MLD1",))
    assert not enabled_codes(("ALL",)) & PREVIEW_RULES
    assert "MLD104" in enabled_codes(("MLD1",), preview=True)


def test_an_exact_code_or_name_enables_a_preview_rule():
    assert enabled_codes(("MLD501",)) == {"MLD501"}
    assert enabled_codes(("data-leakage",)) == {"MLD501"}
    assert "MLD601" in enabled_codes(None, extend_select=("MLD601",))
    assert preview_selected_exactly(("MLD501", "MLD1", "uncontrolled-randomness"), False) == ["MLD501", "MLD601"]
    assert preview_selected_exactly(("MLD501",), True) == []


def test_ignore_still_wins_over_preview():
    assert "MLD104" not in enabled_codes(None, ignore=("MLD104",), preview=True)


def test_check_without_preview_reports_nothing_from_preview_rules(project):
    result = invoke(["check", ".", "--format", "json", "--no-cache"])
    assert "MLD104" not in codes(result)


def test_check_with_preview_reports_them(project):
    result = invoke(["check", ".", "--format", "json", "--no-cache", "--preview"])
    assert codes(result) == ["MLD104"]
    assert result.stderr == ""


def test_selecting_a_preview_rule_by_code_enables_it_with_a_notice(project):
    result = invoke(["check", ".", "--format", "json", "--no-cache", "--select", "MLD104"])
    assert codes(result) == ["MLD104"]
    notice = [line for line in result.stderr.splitlines() if "preview" in line]
    assert notice == [
        "mldebtlint: MLD104 is a preview rule, enabled because it was selected by name "
        "(--preview enables every preview rule)"
    ]


def test_selecting_by_prefix_does_not_enable_it(project):
    result = invoke(["check", ".", "--format", "json", "--no-cache", "--select", "MLD1"])
    assert "MLD104" not in codes(result)
    assert "preview" not in result.stderr


def test_preview_in_config(project):
    write(project, {"mldebtlint.toml": "preview = true\n"})
    assert codes(invoke(["check", ".", "--format", "json", "--no-cache"])) == ["MLD104"]


def test_bad_preview_value_is_a_config_error(project):
    write(project, {"mldebtlint.toml": 'preview = "yes"\n'})
    result = invoke(["check", "."])
    assert result.exit_code == 2
    assert "'preview' must be true or false" in result.stderr


def test_report_and_baseline_take_preview(project):
    report = invoke(["report", ".", "--format", "json", "--no-cache", "--preview"])
    rules = [row["code"] for row in json.loads(report.stdout)["rules"]]
    assert rules == ["MLD104"]
    without = invoke(["report", ".", "--format", "json", "--no-cache"])
    assert json.loads(without.stdout)["rules"] == []
    baseline = invoke(["baseline", ".", "--preview", "--no-cache", "-o", "base.json"])
    assert baseline.exit_code == 0
    assert "MLD104" in (project / "base.json").read_text()


def test_preview_changes_the_cache_key():
    assert Settings().key() != Settings(preview=True).key()


def test_rules_shows_the_state_column():
    result = invoke(["rules"])
    lines = {line.split()[0]: line.split()[3] for line in result.stdout.splitlines()[1:]}
    assert {code for code, state in lines.items() if state == "preview"} == PREVIEW_RULES
    assert lines["MLD101"] == "on"
    rows = json.loads(invoke(["rules", "--format", "json"]).stdout)
    by_code = {row["code"]: row for row in rows}
    assert by_code["MLD501"]["preview"] is True and by_code["MLD101"]["preview"] is False
    assert "| MLD501 | data-leakage | data | preview |" in markdown_table(list(load_catalog().values()))


def test_explain_shows_the_preview_state_and_the_measured_precision():
    text = invoke(["explain", "MLD501"]).stdout
    assert "preview: off unless --preview or selected by its code" in text
    assert "Measured precision on the real-application corpus: " + load_catalog()["MLD501"].precision in text
    graduated = parse_entry(
        {
            "code": "MLD599",
            "name": "proven-rule",
            "category": "data",
            "severity": "warning",
            "default-enabled": True,
            "effort": 5,
            "impact": 2,
            "risk": 2,
            "summary": "s",
            "rationale": "r",
            "precision": "0.91 on 22 apps (judged 23 findings)",
        },
        "proven-rule.toml",
    )
    shown = explain_text(graduated)
    assert "on by default" in shown
    assert "Measured precision on the real-application corpus: 0.91 on 22 apps (judged 23 findings)" in shown


def test_every_preview_rule_records_its_measured_precision():
    for code in PREVIEW_RULES:
        assert load_catalog()[code].precision, f"{code} has no measured precision in its catalog entry"


@pytest.mark.parametrize("output_format", ["text", "markdown", "json", "html"])
def test_report_shows_data_and_testing_debt_in_every_format(output_format):
    from conftest import FIXTURES

    result = invoke(["report", FIXTURES / "serving_monitoring", "--preview", "--no-cache", "--format", output_format])
    assert result.exit_code == 0, result.stderr
    if output_format == "json":
        report = json.loads(result.stdout)
        categories = {row["category"]: row for row in report["categories"]}
        assert set(categories) == {"data", "testing"}
        assert categories["data"]["findings"] == 1 and categories["testing"]["findings"] == 10
        assert all(row["rating"] in "ABCDE" for row in categories.values())
        assert report["summary"]["untested_model_modules"] == {"modules": 6, "repo_has_tests": True}
        return
    text = result.stdout
    for category in ("data", "testing"):
        assert any(category in line and "%" in line for line in text.splitlines()), f"no {category} row"
    assert "6 model modules have no test" in text


def test_report_headline_says_when_the_repo_has_no_tests(tmp_path):
    write(tmp_path, {"mldebtlint.toml": "", "train.py": "def train(model, X, y):\n    model.fit(X, y)\n"})
    text = invoke(["report", tmp_path, "--select", "MLD701", "--no-cache"]).stdout
    assert "1 model module has no test (the repo has no tests at all)" in text
