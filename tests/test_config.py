"""Configuration files: where they are found, which one wins, what they
change, and one-line exit-2 errors naming the key and the file."""

from __future__ import annotations

import json

import pytest
from clirunner import BROKEN_SOURCE, CLEAN_SOURCE, invoke, write

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings, load_settings
from mldebtlint.core.errors import ConfigError


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, {"src/broken.py": BROKEN_SOURCE, "src/gen_parser.py": BROKEN_SOURCE, "src/clean.py": CLEAN_SOURCE})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(*args: str) -> list[dict]:
    result = invoke(["check", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def paths(*args: str) -> set[str]:
    return {item["path"] for item in findings(*args)}


def config_error(*args: str) -> str:
    result = invoke(["check", *args])
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# -- where config comes from -------------------------------------------------------


def test_pyproject_tool_table_is_used(project):
    write(project, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.mldebtlint]\nignore = ["MLD000"]\n'})
    assert findings("src") == []


def test_mldebtlint_toml_uses_top_level_keys(project):
    write(project, {"mldebtlint.toml": 'ignore = ["parse-error"]\n'})
    assert findings("src") == []


def test_dot_mldebtlint_toml(project):
    write(project, {".mldebtlint.toml": 'ignore = ["MLD0"]\n'})
    assert findings("src") == []


def test_mldebtlint_toml_beats_pyproject_in_the_same_folder(project):
    write(
        project,
        {
            "pyproject.toml": "[tool.mldebtlint]\nselect = []\n",
            "mldebtlint.toml": 'per-file-ignores = { "src/broken.py" = ["MLD000"] }\n',
        },
    )
    assert paths("src") == {"src/gen_parser.py"}


def test_dot_file_beats_mldebtlint_toml(project):
    write(project, {"mldebtlint.toml": 'ignore = ["MLD000"]\n', ".mldebtlint.toml": "ignore = []\n"})
    assert paths("src") == {"src/broken.py", "src/gen_parser.py"}


def test_nearest_config_wins_and_pyproject_without_our_table_is_skipped(project):
    write(
        project,
        {
            "mldebtlint.toml": 'ignore = ["MLD000"]\n',
            "src/pyproject.toml": '[project]\nname = "inner"\n',
        },
    )
    assert findings("src") == []
    write(project, {"src/mldebtlint.toml": "ignore = []\n"})
    assert len(findings("src")) == 2


def test_config_is_searched_upward_from_the_first_path(project, tmp_path_factory, monkeypatch):
    write(project, {"mldebtlint.toml": 'ignore = ["MLD000"]\n'})
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert findings(str(project / "src")) == []


def test_explicit_config_file(project):
    write(project, {"mldebtlint.toml": "ignore = []\n", "ci/strict.toml": 'ignore = ["MLD000"]\n'})
    assert findings("src", "--config", "ci/strict.toml") == []
    assert "nope.toml" in config_error("src", "--config", "nope.toml")


def test_unrelated_broken_pyproject_is_not_a_config_error(project):
    write(project, {"pyproject.toml": "[project\nname = \n"})
    assert len(findings("src")) == 2


# -- what config changes -------------------------------------------------------------


def test_per_file_ignores_globs(project):
    write(project, {"mldebtlint.toml": '[per-file-ignores]\n"src/gen_*.py" = ["MLD000"]\n'})
    assert paths("src") == {"src/broken.py"}


def test_per_file_ignores_match_base_names_and_rule_names(project):
    write(project, {"mldebtlint.toml": '[per-file-ignores]\n"broken.py" = ["parse-error"]\n'})
    assert paths("src") == {"src/gen_parser.py"}


def test_per_file_ignores_other_rule_keeps_finding(project):
    write(project, {"mldebtlint.toml": '[per-file-ignores]\n"src/*.py" = ["MLD1"]\n'})
    assert len(findings("src")) == 2
    write(project, {"mldebtlint.toml": '[per-file-ignores]\n"src/*.py" = ["MLD0"]\n'})
    assert findings("src") == []


def test_score_override_changes_debt(project):
    write(project, {"mldebtlint.toml": "[score.parse-error]\neffort = 20\n"})
    assert {item["debt_minutes"] for item in findings("src")} == {20}


def test_select_in_config_and_cli_override(project):
    write(project, {"mldebtlint.toml": 'ignore = ["MLD000"]\n'})
    assert findings("src") == []
    assert len(findings("src", "--select", "MLD000")) == 2


# -- broken config: exit 2, one line naming the key and the file -------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("colour = true\n", "colour"),
        ('select = "MLD000"\n', "select"),
        ('ignore = ["MLD999"]\n', "MLD999"),
        ("jobs = 0\n", "jobs"),
        ("respect-gitignore = 1\n", "respect-gitignore"),
        ('[per-file-ignores]\n"*.py" = ["nonsense"]\n', "per-file-ignores"),
        ("[rules.no-such-rule]\nx = 1\n", "no-such-rule"),
        ("[rules.parse-error]\nbogus-option = 1\n", "rules.parse-error.bogus-option"),
        ("[score.parse-error]\nimpact = 9\n", "score.parse-error.impact"),
        ("[score.parse-error]\nspeed = 1\n", "score.parse-error.speed"),
    ],
)
def test_bad_config_names_key_and_file(project, text, key):
    write(project, {"mldebtlint.toml": text})
    line = config_error("src")
    assert key in line and "mldebtlint.toml" in line


def test_bad_key_in_pyproject_names_the_file(project):
    write(project, {"pyproject.toml": "[tool.mldebtlint]\nextend-selct = []\n"})
    line = config_error("src")
    assert "extend-selct" in line and "pyproject.toml" in line


@pytest.mark.parametrize("name", ["mldebtlint.toml", "pyproject.toml"])
def test_invalid_toml_is_exit_2(project, name):
    body = "[tool.mldebtlint]\nselect = [\n" if name == "pyproject.toml" else "select = [\n"
    write(project, {name: body})
    line = config_error("src")
    assert name in line and "TOML" in line


def test_wrong_option_type_is_exit_2(project):
    entry = next(e for e in load_catalog().values() if e.options)
    option = next(iter(entry.options.values()))
    wrong = '"text"' if option.type != "str" else "12"
    write(project, {"mldebtlint.toml": f"[rules.{entry.name}]\n{option.name} = {wrong}\n"})
    line = config_error("src")
    assert f"rules.{entry.name}.{option.name}" in line and option.type in line and "mldebtlint.toml" in line


def test_valid_rule_options_are_accepted(project):
    entry = next(e for e in load_catalog().values() if e.options)
    option = next(iter(entry.options.values()))
    write(project, {"mldebtlint.toml": f"[rules.{entry.code}]\n{option.name} = {json.dumps(option.default)}\n"})
    assert len(findings("src")) == 2


# -- option values: enumerations, types, defaults from the catalog only ---------------


@pytest.mark.parametrize(
    ("key", "value"),
    [("policy", '"upperbound"'), ("policy", '"ignore"'), ("library-policy", '"lax"')],
)
def test_unknown_option_value_is_exit_2_naming_the_key(project, key, value):
    write(project, {"mldebtlint.toml": f"[rules.unpinned-framework]\n{key} = {value}\n"})
    line = config_error("src")
    assert f"rules.unpinned-framework.{key}" in line and "mldebtlint.toml" in line
    assert '"exact"' in line and '"upper-bound"' in line


@pytest.mark.parametrize(("key", "value"), [("policy", "upper-bound"), ("library-policy", "ignore")])
def test_known_option_value_is_accepted(project, key, value):
    write(project, {"mldebtlint.toml": f'[rules.unpinned-framework]\n{key} = "{value}"\n'})
    assert len(findings("src")) == 2


def test_options_are_typed_with_catalog_defaults_and_parsed_once(tmp_path):
    source = tmp_path / "mldebtlint.toml"
    source.write_text("[rules.hardcoded-threshold]\nmax-tolerance = 0\nallowed-literals = [0, 2]\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    options = settings.options_for("MLD101")
    entry = load_catalog()["MLD101"]
    assert set(options) == set(entry.options)
    # An int given for a float option is a float; lists are tuples; defaults come from the catalog.
    assert options["max-tolerance"] == 0.0 and isinstance(options["max-tolerance"], float)
    assert options["allowed-literals"] == (0.0, 2.0)
    assert options["score-words"] == tuple(entry.options["score-words"].default)
    assert settings.options_for("MLD101") is options
    with pytest.raises(TypeError):
        options["max-tolerance"] = 1.0  # type: ignore[index]
    assert Settings().options_for("MLD101")["max-tolerance"] == entry.options["max-tolerance"].default


def test_options_given_in_code_are_checked_too():
    settings = Settings(rule_options=(("MLD301", (("policy", "upperbound"),)),))
    with pytest.raises(ConfigError, match="rules.unpinned-framework.policy"):
        settings.options_for("MLD301")
    settings = Settings(rule_options=(("MLD301", (("polcy", "exact"),)),))
    with pytest.raises(ConfigError, match="rules.unpinned-framework.polcy"):
        settings.options_for("MLD301")
