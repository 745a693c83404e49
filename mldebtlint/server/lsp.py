"""The Language Server: diagnostics, code actions and hover for mldebtlint.

Built on pygls (an optional dependency: ``pip install 'mldebtlint[server]'``).
Each open document is linted in-process through the same runner as ``check``:
the buffer's text replaces the file on disk, the rest of the repo comes from
the results cache, so repo-wide rules (the model graph) see the whole project.
Settings are loaded once per project root and reloaded when the config file
changes (its mtime), or when the client reports a watched config file change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from mldebtlint import __version__
from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings, find_config, load_settings
from mldebtlint.core.errors import ConfigError
from mldebtlint.core.types import Finding

SOURCE = "mldebtlint"
CONFIG_NAMES = ("pyproject.toml", "mldebtlint.toml", ".mldebtlint.toml")
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


@dataclass
class _CachedSettings:
    settings: Settings
    config_mtime: float | None


class MldebtlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mldebtlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self._settings: dict[str | None, _CachedSettings] = {}
        # uri -> the findings last published for it (code actions read them).
        self.findings: dict[str, list[Finding]] = {}

    # -- settings ---------------------------------------------------------------
    def settings_for(self, path: Path) -> Settings:
        config = find_config(path.parent)
        key = str(config) if config is not None else None
        mtime = _mtime(config)
        cached = self._settings.get(key)
        if cached is None or cached.config_mtime != mtime:
            cached = _CachedSettings(load_settings(path), mtime)
            self._settings[key] = cached
        return cached.settings

    def forget_settings(self) -> None:
        self._settings.clear()

    # -- linting ----------------------------------------------------------------
    def lint(self, uri: str) -> list[Finding]:
        from mldebtlint.engine.runner import RunOptions, run

        path_text = to_fs_path(uri)
        if path_text is None:
            return []
        path = Path(path_text)
        document = self.workspace.get_text_document(uri)
        settings = self.settings_for(path)
        result = run(RunOptions(paths=[path], settings=settings, stdin=(str(path), document.source), cache=True))
        findings = list(result.findings)
        self.findings[uri] = findings
        return findings

    def publish(self, uri: str) -> None:
        try:
            findings = self.lint(uri)
            diagnostics = [diagnostic_of(finding) for finding in findings]
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"mldebtlint: {exc}"))
            diagnostics = []
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))


def _mtime(path: Path | None) -> float | None:
    if path is None:
        return None
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def diagnostic_of(finding: Finding) -> types.Diagnostic:
    location = finding.location
    start = types.Position(line=max(location.line - 1, 0), character=max(location.column - 1, 0))
    end = types.Position(line=max(location.end_line - 1, 0), character=max(location.end_column - 1, 0))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=from_fs_path(os.path.abspath(item.path)) or item.path,
                range=types.Range(types.Position(item.line - 1, 0), types.Position(item.line - 1, 0)),
            ),
            message=item.note,
        )
        for item in finding.related
    ]
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=f"[{finding.rule}] {finding.message}",
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        source=SOURCE,
        related_information=related or None,
        data={"fingerprint": finding.fingerprint},
    )


def hover_text(code: str) -> str | None:
    entry = load_catalog().get(code)
    if entry is None:
        return None
    return f"**{entry.code} {entry.name}** ({entry.category})\n\n{entry.summary}\n\n{entry.rationale.strip()}"


def suppression_edit(text: str, line: int, code: str) -> types.TextEdit:
    """Append ``# mldebtlint: ignore[CODE]`` to a 0-based ``line`` (after any comment)."""
    lines = text.splitlines()
    current = lines[line] if line < len(lines) else ""
    position = types.Position(line=line, character=len(current))
    return types.TextEdit(types.Range(position, position), f"  # mldebtlint: ignore[{code}]")


def fix_edit(server: MldebtlintServer, uri: str, findings: list[Finding]) -> types.TextEdit | None:
    """One whole-document edit applying the fixes of ``findings`` (safe and unsafe ones): the
    edits the rules attached to them, on the buffer they were found in, parsed back."""
    from mldebtlint.fixes import fix_text

    path_text = to_fs_path(uri)
    if path_text is None or not findings:
        return None
    path = Path(path_text)
    text = server.workspace.get_text_document(uri).source
    result = fix_text(path, text, findings, server.settings_for(path), unsafe=True)
    if result.text == text:
        return None
    lines = text.splitlines()
    end = types.Position(line=len(lines), character=0)
    return types.TextEdit(types.Range(types.Position(0, 0), end), result.text)


def build_server() -> MldebtlintServer:
    server = MldebtlintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MldebtlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MldebtlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MldebtlintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MldebtlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.findings.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: MldebtlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith(CONFIG_NAMES) for change in params.changes):
            ls.forget_settings()
            for uri in list(ls.findings):
                ls.publish(uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MldebtlintServer, params: types.HoverParams) -> types.Hover | None:
        line = params.position.line + 1
        for finding in ls.findings.get(params.text_document.uri, []):
            if finding.location.line <= line <= finding.location.end_line:
                text = hover_text(finding.code)
                if text:
                    return types.Hover(contents=types.MarkupContent(types.MarkupKind.Markdown, text))
        return None

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: MldebtlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        first, last = params.range.start.line + 1, params.range.end.line + 1
        chosen = [f for f in ls.findings.get(uri, []) if f.location.line <= last and f.location.end_line >= first]
        text = ls.workspace.get_text_document(uri).source
        actions: list[types.CodeAction] = []
        for finding in chosen:
            diagnostic = diagnostic_of(finding)
            edit = fix_edit(ls, uri, [finding])
            if edit is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Fix {finding.code}: {finding.fix.title if finding.fix else finding.message}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=types.WorkspaceEdit(changes={uri: [edit]}),
                        is_preferred=True,
                    )
                )
            actions.append(
                types.CodeAction(
                    title=f"Suppress {finding.code} on this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(
                        changes={uri: [suppression_edit(text, finding.location.line - 1, finding.code)]}
                    ),
                )
            )
        return actions

    return server


def serve() -> Any:
    """Run the server on stdin/stdout until the client exits."""
    build_server().start_io()
