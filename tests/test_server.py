"""A real LSP session with ``mldebtlint server``: spawn it, speak JSON-RPC over
stdio (Content-Length framing), open a document with a hard-coded threshold,
receive the diagnostic, ask for code actions and apply one."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SERVE = """\
import joblib

model = joblib.load("model.joblib")


def predict(features):
    score = model.predict_proba(features)[:, 1]
    return "churn" if score > 0.73 else "stay"
"""


class Client:
    def __init__(self, cwd: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mldebtlint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, payload: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **payload}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        return self.wait(lambda message: message.get("id") == request_id and "method" not in message)

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def wait(self, predicate, timeout: float = 60) -> dict:
        while True:
            message = self.messages.get(timeout=timeout)
            if message.get("method") == "workspace/configuration" and "id" in message:
                self.send({"id": message["id"], "result": [None]})
                continue
            if predicate(message):
                return message

    def diagnostics(self, uri: str) -> list[dict]:
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        )
        return message["params"]["diagnostics"]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mldebtlint.toml").write_text("", encoding="utf-8")
    (tmp_path / "serve.py").write_text(SERVE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def client(project: Path):
    session = Client(project)
    session.request("initialize", {"processId": os.getpid(), "rootUri": project.as_uri(), "capabilities": {}})
    session.notify("initialized", {})
    yield session
    session.close()


def open_document(client: Client, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    return uri


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

    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]},
    )
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
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
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
