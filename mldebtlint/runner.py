"""One lint run: discover -> per-file phase (pool) -> repo phase -> filters.

Shared by ``check``, ``report``, ``graph`` and ``baseline``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mldebtlint.catalog import load_catalog
from mldebtlint.config import Settings
from mldebtlint.discovery import SourceFile, discover, display_path, relative_to_root
from mldebtlint.engine import FileTask, RuleSet, analyze_file, build_finding, make_fingerprint
from mldebtlint.selection import enabled_codes, expand_selector
from mldebtlint.types import PARSE_ERROR_CODE, CheckResult, FileResult, Finding, Location


@dataclass
class RunOptions:
    paths: list[Path]
    settings: Settings
    # Source given on stdin for --stdin-filename: (display name, text).
    stdin: tuple[str, str] | None = None
    # Repo rules need every file's facts, not only the reported files'.
    whole_repo_facts: bool = True
    progress: Callable[[int, int], None] | None = None
    extra_codes: frozenset[str] = field(default_factory=frozenset)


def rule_set(settings: Settings, extra: Iterable[str] = ()) -> RuleSet:
    codes = enabled_codes(settings.select, settings.extend_select, settings.ignore)
    return RuleSet(frozenset(codes) | frozenset(extra))


def _tasks(files: Iterable[SourceFile], facts_only: bool = False) -> list[FileTask]:
    return [
        FileTask(str(f.path), f.display, f.relative, f.python, f.manifest, facts_only) for f in files
    ]


def _jobs(settings: Settings, count: int) -> int:
    jobs = settings.jobs or os.cpu_count() or 1
    # A pool costs ~100 ms to start: not worth it for a handful of files.
    return 1 if count < 8 else max(1, min(jobs, count))


def analyze_all(
    tasks: list[FileTask], settings: Settings, rules: RuleSet,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    jobs = _jobs(settings, len(tasks))
    results: list[FileResult] = []
    if jobs == 1:
        for index, task in enumerate(tasks, start=1):
            results.append(analyze_file(task, settings, rules))
            if progress:
                progress(index, len(tasks))
        return results
    chunksize = max(1, min(16, len(tasks) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        iterator = pool.map(_analyze_star, ((t, settings, rules) for t in tasks), chunksize=chunksize)
        for index, result in enumerate(iterator, start=1):
            results.append(result)
            if progress:
                progress(index, len(tasks))
    return results


def _analyze_star(args: tuple[FileTask, Settings, RuleSet]) -> FileResult:
    return analyze_file(*args)


def _per_file_ignored(finding: Finding, relative: str, settings: Settings) -> bool:
    name = PurePosixPath(relative).name
    for pattern, selectors in settings.per_file_ignores:
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(name, pattern):
            for selector in selectors:
                if finding.code in expand_selector(selector):
                    return True
    return False


def run_repo_rules(
    rules: RuleSet, settings: Settings, results_by_relative: dict[str, FileResult], display_of: dict[str, str]
) -> list[Finding]:
    catalog = load_catalog()
    findings: list[Finding] = []
    for cls in rules.repo_rules():
        collector_name = cls.collector.__name__ if cls.collector else None
        facts = {
            relative: (result.facts or {}).get(collector_name)
            for relative, result in results_by_relative.items()
            if result.facts and collector_name in result.facts
        }
        rule = cls(settings.options_for(cls.code))
        for relative, report in rule.check(facts):
            location = Location(report.line or 1, report.column or 1, report.end_line or report.line or 1,
                                report.end_column or report.column or 1)
            fingerprint = make_fingerprint(cls.code, relative, report.scope, report.message, 0)
            findings.append(
                build_finding(catalog[cls.code], settings, report.message, display_of.get(relative, relative),
                              location, fingerprint, (location.line, location.end_line), report.data)
            )
    return findings


def run(options: RunOptions) -> CheckResult:
    settings = options.settings
    root = Path(settings.root)
    rules = rule_set(settings, options.extra_codes)
    if options.stdin is not None:
        files = [_stdin_file(options.stdin[0], root)]
    else:
        files = list(
            discover(options.paths, root, settings.exclude, settings.extend_exclude, settings.respect_gitignore)
        )
    tasks = _tasks(files)
    if options.stdin is not None:
        results = [_analyze_stdin(tasks[0], options.stdin[1], settings, rules)]
    else:
        results = analyze_all(tasks, settings, rules, options.progress)
    reported = {task.relative for task in tasks}
    by_relative = {task.relative: result for task, result in zip(tasks, results)}
    display_of = {task.relative: task.display for task in tasks}

    repo_findings: list[Finding] = []
    if rules.repo_rules():
        if options.whole_repo_facts:
            context_files = [
                f for f in discover([root], root, settings.exclude, settings.extend_exclude, settings.respect_gitignore)
                if f.relative not in by_relative and f.python
            ]
            facts_rules = RuleSet(frozenset(code for code in rules.codes if code in _repo_codes(rules)))
            for task, result in zip(_tasks(context_files, True), analyze_all(_tasks(context_files, True), settings, facts_rules)):
                by_relative[task.relative] = result
                display_of[task.relative] = task.display
        reported_displays = {display_of[relative] for relative in reported}
        repo_findings = [
            finding for finding in run_repo_rules(rules, settings, by_relative, display_of)
            if finding.path in reported_displays
        ]
    return _finish(results, repo_findings, by_relative, display_of, settings, tasks)


def _repo_codes(rules: RuleSet) -> set[str]:
    return {cls.code for cls in rules.repo_rules()}


def _finish(
    results: list[FileResult], repo_findings: list[Finding], by_relative: dict[str, FileResult],
    display_of: dict[str, str], settings: Settings, tasks: list[FileTask],
) -> CheckResult:
    from mldebtlint.suppressions import Suppressions

    relative_of_display = {display: relative for relative, display in display_of.items()}
    kept: list[Finding] = []
    suppressed = 0
    all_findings = [f for result in results for f in result.findings] + repo_findings
    # A file that fails to parse for another rule still yields MLD000; drop it
    # when the user disabled MLD000.
    parse_errors_on = PARSE_ERROR_CODE in enabled_codes(settings.select, settings.extend_select, settings.ignore)
    for finding in all_findings:
        if finding.code == PARSE_ERROR_CODE and not parse_errors_on:
            continue
        relative = relative_of_display.get(finding.path, finding.path)
        result = by_relative.get(relative)
        if result is not None:
            if result.skip_file:
                suppressed += 1
                continue
            noqa = Suppressions({line: frozenset(codes) for line, codes in result.noqa})
            if noqa.silences(finding):
                suppressed += 1
                continue
        if _per_file_ignored(finding, relative, settings):
            suppressed += 1
            continue
        kept.append(finding)
    kept.sort(key=Finding.sort_key)
    return CheckResult(findings=tuple(kept), files=tuple(results), suppressed=suppressed)


def _stdin_file(name: str, root: Path) -> SourceFile:
    from mldebtlint.discovery import is_manifest

    path = Path(os.path.abspath(name))
    manifest = is_manifest(path.name)
    python = path.suffix in (".py", ".pyi") or not manifest
    return SourceFile(path, display_path(path), relative_to_root(path, root), python, manifest)


def _analyze_stdin(task: FileTask, text: str, settings: Settings, rules: RuleSet) -> FileResult:
    """Lint source given on stdin by writing it to a private temp file."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mldebtlint-stdin-") as folder:
        temp = Path(folder) / Path(task.path).name
        temp.write_text(text, encoding="utf-8")
        stdin_task = FileTask(str(temp), task.display, task.relative, task.python, task.manifest)
        return analyze_file(stdin_task, settings, rules)
