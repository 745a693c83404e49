"""Every ``--format`` is produced by the real CLI on a small project and
checked structurally; SARIF is validated against the official 2.1.0 schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from clirunner import invoke, sample_project

from mldebtlint.core.catalog import load_catalog
from mldebtlint.output.github import escape_data, escape_property

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def project(tmp_path, monkeypatch):
    sample_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# Only the rules this module knows the sample project triggers.
SELECT = ["--select", "MLD000,MLD101"]


def check(fmt: str) -> tuple[str, list[dict]]:
    """Run ``check src --format fmt`` and the JSON findings of the same run."""
    result = invoke(["check", "src", "--format", fmt, *SELECT])
    assert result.exit_code == 1, result.stderr
    findings = json.loads(invoke(["check", "src", "--format", "json", *SELECT]).stdout)
    return result.stdout, findings


def expected_codes() -> set[str]:
    return {"MLD000", "MLD101"}


def test_json_findings_have_the_documented_keys(project):
    _, findings = check("json")
    keys = {
        "code",
        "rule",
        "category",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "debt_minutes",
        "priority",
        "fingerprint",
    }
    assert findings and all(keys <= set(item) for item in findings)
    assert {item["code"] for item in findings} == expected_codes()
    broken = next(item for item in findings if item["path"] == "src/broken.py")
    assert (broken["code"], broken["rule"], broken["line"]) == ("MLD000", "parse-error", 2)


def test_jsonl_is_one_object_per_finding(project):
    text, findings = check("jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows == findings


def test_text_lines_and_summary(project):
    result = invoke(["check", "src"])
    lines = result.stdout.splitlines()
    assert "src/broken.py:2:" in lines[0] and "MLD000 [parse-error] syntax error" in lines[0]
    assert lines[0].endswith("(debt 5 min)")
    assert lines[-1].startswith("Found ") and "checked" in lines[-1] and "total debt" in lines[-1]


def test_sarif_validates_against_the_official_schema(project):
    text, findings = check("sarif")
    log = json.loads(text)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == len(findings)


def test_sarif_schema_rejects_a_broken_log(project):
    """The schema check has teeth: a result without a message is invalid."""
    log = json.loads(check("sarif")[0])
    del log["runs"][0]["results"][0]["message"]
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validators.validator_for(schema)(schema).validate(log)


def test_sarif_driver_describes_every_catalog_rule(project):
    driver = json.loads(check("sarif")[0])["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mldebtlint" and driver["version"] and driver["informationUri"].startswith("http")
    catalog = load_catalog()
    assert [rule["id"] for rule in driver["rules"]] == list(catalog)
    for rule in driver["rules"]:
        entry = catalog[rule["id"]]
        assert rule["name"] == entry.name
        assert rule["shortDescription"]["text"] == entry.summary
        assert rule["fullDescription"]["text"] == entry.rationale
        assert entry.rationale.splitlines()[0] in rule["help"]["text"]
        assert entry.fix in rule["help"]["text"] and entry.fix in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == entry.severity
        assert rule["properties"]["category"] == entry.category
        assert entry.category in rule["properties"]["tags"]


def test_sarif_results_point_at_the_findings(project):
    text, findings = check("sarif")
    run = json.loads(text)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    for result, finding in zip(run["results"], findings):
        assert result["ruleId"] == finding["code"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == finding["severity"]
        assert result["message"]["text"] == finding["message"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])
        assert region["endLine"] >= region["startLine"]
        assert result["partialFingerprints"]["mldebtlint/v1"] == finding["fingerprint"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "src/broken.py" in uris
    assert "src/odd%2C%20name%3Av2.py" in uris  # percent-encoded, still relative


def test_github_annotations(project):
    text, findings = check("github")
    lines = text.splitlines()
    assert len(lines) == len(findings)
    broken = next(line for line in lines if "file=src/broken.py," in line)
    assert broken.startswith("::error file=src/broken.py,line=2,col=")
    assert ",endLine=2,endColumn=" in broken
    assert ",title=MLD000 parse-error::syntax error" in broken
    odd = next(line for line in lines if "odd" in line)
    assert "file=src/odd%2C name%3Av2.py,line=1," in odd
    threshold = next(line for line in lines if "file=src/serve.py" in line)
    assert threshold.startswith("::warning ") or threshold.startswith("::notice ")
    assert "title=MLD101 hardcoded-threshold::" in threshold


def test_github_escaping():
    assert escape_data("50% of\r\nrows: a, b") == "50%25 of%0D%0Arows: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_gitlab_code_quality(project):
    text, findings = check("gitlab")
    issues = json.loads(text)
    assert isinstance(issues, list) and len(issues) == len(findings)
    for issue, finding in zip(issues, findings):
        assert finding["message"] in issue["description"]
        assert issue["check_name"].startswith(finding["code"])
        assert issue["fingerprint"] == finding["fingerprint"]
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == finding["path"]
        assert issue["location"]["lines"]["begin"] == finding["line"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert {i["severity"] for i in issues if i["check_name"].startswith("MLD000")} == {"critical"}


def test_junit_groups_findings_by_file(project):
    text, findings = check("junit")
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert "src/clean.py" in suites and "src/broken.py" in suites
    clean_cases = suites["src/clean.py"].findall("testcase")
    assert len(clean_cases) == 1 and clean_cases[0].find("failure") is None
    failures = [case.find("failure") for case in root.iter("testcase") if case.find("failure") is not None]
    assert len(failures) == len(findings) == int(root.get("failures"))
    broken = suites["src/broken.py"].find("testcase/failure")
    assert broken.get("type") == "MLD000" and broken.get("message").startswith("syntax error")
    assert int(suites["src/broken.py"].get("failures")) == 1


def test_junit_survives_control_characters():
    from mldebtlint.core.types import CheckResult, Finding, Location
    from mldebtlint.output.junit import render

    finding = Finding("MLD000", "parse-error", "tooling", "error", "bad \x01 byte", "x.py", Location(1, 1, 1, 1))
    ET.fromstring(render(CheckResult(findings=(finding,))))


@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif", "github", "gitlab", "junit"])
def test_output_file_gets_the_report_and_stdout_stays_clean(project, fmt):
    result = invoke(["check", "src", "--format", fmt, "--output", "report.out", *SELECT])
    assert result.exit_code == 1
    assert result.stdout == ""
    written = (project / "report.out").read_text(encoding="utf-8")
    assert written == invoke(["check", "src", "--format", fmt, *SELECT]).stdout


def test_clean_project_yields_empty_machine_outputs(tmp_path, monkeypatch):
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for fmt, empty in (("json", []), ("gitlab", [])):
        result = invoke(["check", ".", "--format", fmt])
        assert result.exit_code == 0 and json.loads(result.stdout) == empty
    sarif = json.loads(invoke(["check", ".", "--format", "sarif"]).stdout)
    assert sarif["runs"][0]["results"] == []
    assert invoke(["check", ".", "--format", "github"]).stdout == ""


def _finding(severity: str, path: str = "pkg/a.py"):
    from mldebtlint.core.types import Finding, Location

    return Finding(
        "MLD101",
        "hardcoded-threshold",
        "configuration",
        severity,
        "literal 0.7, 50% of it",
        path,
        Location(3, 8, 3, 11),
        debt_minutes=10,
        fingerprint="abc",
    )


@pytest.mark.parametrize(
    ("severity", "command", "gitlab", "sarif"),
    [
        ("error", "::error ", "critical", "error"),
        ("warning", "::warning ", "major", "warning"),
        ("note", "::notice ", "minor", "note"),
    ],
)
def test_severity_mapping(severity, command, gitlab, sarif):
    from mldebtlint.core.types import CheckResult
    from mldebtlint.output import github
    from mldebtlint.output import gitlab as gitlab_format
    from mldebtlint.output import sarif as sarif_format

    result = CheckResult(findings=(_finding(severity),))
    line = github.render(result)
    assert line.startswith(command)
    assert line.rstrip("\n").endswith("::literal 0.7, 50%25 of it (debt 10 min)")
    assert json.loads(gitlab_format.render(result))[0]["severity"] == gitlab
    assert json.loads(sarif_format.render(result))["runs"][0]["results"][0]["level"] == sarif


def test_sarif_absolute_path_is_a_file_uri():
    from mldebtlint.output.sarif import artifact_location

    assert artifact_location("/srv/app/serve.py") == {"uri": "file:///srv/app/serve.py"}
    assert artifact_location("app/my model.py") == {"uri": "app/my%20model.py", "uriBaseId": "%SRCROOT%"}
