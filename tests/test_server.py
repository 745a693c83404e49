"""A real LSP session with ``mldebtlint server``: spawn it, speak JSON-RPC over
stdio (Content-Length framing), open a document with a hard-coded threshold,
receive the diagnostic, ask for code actions and apply one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mldebtlint.server.client import LspClient as Client

SERVE = """\
import joblib

model = joblib.load("model.joblib")


def predict(features):
    score = model.predict_proba(features)[:, 1]
    return "churn" if score > 0.73 else "stay"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mldebtlint.toml").write_text("", encoding="utf-8")
    (tmp_path / "serve.py").write_text(SERVE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def client(project: Path):
    session = Client(project)
    session.initialize(project)
    yield session
    session.close()


def open_document(client: Client, path: Path, text: str) -> str:
    return client.open(path, text)


def test_threshold_diagnostic_then_suppression_action_silences_it(client: Client, project: Path):
    uri = open_document(client, project / "serve.py", SERVE)
    diagnostics = client.diagnostics(uri)
    threshold = [d for d in diagnostics if d["code"] == "MLD101"]
    assert len(threshold) == 1, diagnostics
    assert threshold[0]["range"]["start"]["line"] == 7  # 0-based: "return ... score > 0.73 ..."
    assert threshold[0]["source"] == "mldebtlint"

    reply = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": threshold[0]["range"],
            "context": {"diagnostics": threshold},
        },
    )
    actions = reply["result"]
    titles = [action["title"] for action in actions]
    assert any(title.startswith("Fix MLD101") for title in titles), titles
    suppress = next(action for action in actions if action["title"].startswith("Suppress MLD101"))
    (edit,) = suppress["edit"]["changes"][uri]
    lines = SERVE.splitlines()
    line = edit["range"]["start"]["line"]
    column = edit["range"]["start"]["character"]
    lines[line] = lines[line][:column] + edit["newText"] + lines[line][column:]
    edited = "\n".join(lines) + "\n"
    assert "# mldebtlint: ignore[MLD101]" in edited.splitlines()[7]

    client.change(uri, 2, edited)
    assert [d for d in client.diagnostics(uri) if d["code"] == "MLD101"] == []


def test_fix_action_hoists_the_literal_and_the_result_is_clean(client: Client, project: Path):
    uri = open_document(client, project / "serve.py", SERVE)
    threshold = [d for d in client.diagnostics(uri) if d["code"] == "MLD101"]
    reply = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": threshold[0]["range"], "context": {"diagnostics": threshold}},
    )
    fix = next(action for action in reply["result"] if action["title"].startswith("Fix MLD101"))
    (edit,) = fix["edit"]["changes"][uri]
    fixed = edit["newText"]
    assert "0.73" in fixed and "score > 0.73" not in fixed
    client.change(uri, 2, fixed)
    assert [d for d in client.diagnostics(uri) if d["code"] == "MLD101"] == []


def test_hover_explains_the_rule(client: Client, project: Path):
    uri = open_document(client, project / "serve.py", SERVE)
    client.diagnostics(uri)
    reply = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 30}}
    )
    contents = reply["result"]["contents"]
    assert "MLD101" in contents["value"] and "hardcoded-threshold" in contents["value"]
    # A clean line has no hover.
    empty = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}
    )
    assert empty["result"] is None


def test_config_change_is_picked_up(client: Client, project: Path):
    uri = open_document(client, project / "serve.py", SERVE)
    assert any(d["code"] == "MLD101" for d in client.diagnostics(uri))
    config = project / "mldebtlint.toml"
    config.write_text('ignore = ["MLD101"]\n', encoding="utf-8")
    os.utime(config, ns=(1, 10**9 * 2_000_000_000))  # a different mtime whatever the clock's resolution
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 2}]})
    assert [d for d in client.diagnostics(uri) if d["code"] == "MLD101"] == []


def test_bad_config_is_a_message_not_a_crash(client: Client, project: Path):
    (project / "mldebtlint.toml").write_text("colour = true\n", encoding="utf-8")
    uri = open_document(client, project / "serve.py", SERVE)
    message = client.wait(lambda m: m.get("method") == "window/showMessage")
    assert "colour" in message["params"]["message"]
    assert client.diagnostics(uri) == []
    # Still alive: a hover request is answered.
    reply = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    )
    assert reply["result"] is None
