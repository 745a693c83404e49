"""One lint run: discover -> per-file phase (pool) -> repo phase -> filters.

Shared by ``check``, ``report``, ``graph`` and ``baseline``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.selection import enabled_codes, expand_selector
from mldebtlint.core.types import PARSE_ERROR_CODE, CheckResult, FileResult, Finding, Fix, Location, Related
from mldebtlint.engine.discovery import SourceFile, discover, display_path, relative_to_root
from mldebtlint.engine.filepass import FileTask, RuleSet, analyze_bytes, build_finding, make_fingerprint
from mldebtlint.engine.repo_reuse import RepoReport
from mldebtlint.engine.source import decode_source

if TYPE_CHECKING:
    import networkx

    from mldebtlint.engine.cache import CacheSet


@dataclass
class RunOptions:
    paths: list[Path]
    settings: Settings
    # Source given on stdin for --stdin-filename (or an editor's buffer): (file
    # name, bytes, or text taken as UTF-8). It is analysed in place, as that
    # file: its folder, sibling lock files and includes, its root.
    stdin: tuple[str, bytes | str] | None = None
    # Repo rules need every file's facts, not only the reported files'.
    whole_repo_facts: bool = True
    progress: Callable[[int, int], None] | None = None
    extra_codes: frozenset[str] = field(default_factory=frozenset)
    # Read and write the results cache (settings.cache_dir, else
    # <root>/.mldebtlint_cache). Off by default for library callers and tests.
    cache: bool = False
    # Filled by ``run``: one-line warnings for the user (no files found, cache not written).
    warnings: list[str] = field(default_factory=list)


def rule_set(settings: Settings, extra: Iterable[str] = ()) -> RuleSet:
    codes = enabled_codes(settings.select, settings.extend_select, settings.ignore, settings.preview)
    return RuleSet(frozenset(codes) | frozenset(extra))


def _tasks(files: Iterable[SourceFile], facts_only: bool = False) -> list[FileTask]:
    return [FileTask(str(f.path), f.display, f.relative, f.python, f.manifest, facts_only) for f in files]


def analyze_all(
    tasks: list[FileTask],
    settings: Settings,
    rules: RuleSet,
    progress: Callable[[int, int], None] | None = None,
    cache: CacheSet | None = None,
) -> list[FileResult]:
    """Results of every task, in order: from the cache when the file is unchanged."""
    from mldebtlint.engine.cache import with_display

    results: list[FileResult | None] = [None] * len(tasks)
    probes = {}
    misses: list[int] = []
    for index, task in enumerate(tasks):
        if cache is not None:
            probe = cache.probe(task.relative, task.path, not task.facts_only, task.manifest)
            if probe.hit is not None:
                results[index] = with_display(probe.hit, task.display)
                continue
            probes[index] = probe
        misses.append(index)
    if not misses:
        return results  # type: ignore[return-value]
    from mldebtlint.engine.concurrency import analyze_many, plan_jobs

    missed = [tasks[index] for index in misses]
    outcomes = analyze_many(missed, settings, rules, plan_jobs(settings.jobs, len(missed)), progress)
    for index, (result, digest) in zip(misses, outcomes):
        results[index] = result
        if cache is not None and digest is not None:
            task = tasks[index]
            cache.store(task.relative, task.path, probes[index], digest, not task.facts_only, task.manifest, result)
    return results  # type: ignore[return-value]


def open_cache(settings: Settings, rules: RuleSet, paths: Iterable[Path] = ()) -> CacheSet:
    """The project root's cache, plus the own root's cache of each path outside it
    (unless one cache folder is configured for everything)."""
    from mldebtlint.core.config import project_root
    from mldebtlint.engine.cache import CacheSet, ResultCache, default_cache_dir, root_tag, run_key

    key, scope = run_key(settings.key(), rules.codes, settings.root), root_tag(settings.root)
    main = ResultCache(default_cache_dir(settings.root, settings.cache_dir), key, scope)
    others: list[tuple[str, ResultCache]] = []
    if not settings.cache_dir:
        root = Path(settings.root).resolve()
        by_root: dict[Path, ResultCache] = {root: main}
        for path in paths:
            absolute = os.path.abspath(path)
            if Path(absolute).is_relative_to(root):
                continue
            own = project_root(Path(absolute)).resolve()
            if own not in by_root:
                by_root[own] = ResultCache(default_cache_dir(own), key, scope)
            if by_root[own] is not main:
                others.append((absolute, by_root[own]))
    return CacheSet(main, others)


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
    return repo_findings(repo_reports(rules, settings, results_by_relative), settings, display_of)


def repo_reports(rules: RuleSet, settings: Settings, results_by_relative: dict[str, FileResult]) -> list[RepoReport]:
    """What the repo rules report over every file's facts (root-relative paths)."""
    from types import MappingProxyType

    reports: list[RepoReport] = []
    # One read-only facts mapping per collector, shared by its rules (so a
    # graph built from it can be reused between them).
    facts_of: dict[str | None, MappingProxyType] = {}
    for cls in rules.repo_rules():
        collector_name = cls.collector.__name__ if cls.collector else None
        if collector_name not in facts_of:
            facts_of[collector_name] = MappingProxyType(
                {
                    relative: (result.facts or {}).get(collector_name)
                    for relative, result in results_by_relative.items()
                    if result.facts and collector_name in result.facts
                }
            )
        rule = cls(settings.options_for(cls.code))
        for relative, report in rule.check(facts_of[collector_name]):
            reports.append(
                RepoReport(
                    cls.code,
                    relative,
                    report.message,
                    report.line,
                    report.column,
                    report.end_line,
                    report.end_column,
                    report.data,
                    report.scope,
                    tuple(item for item in report.related if isinstance(item, Related)),
                    report.fix if isinstance(report.fix, Fix) else None,  # no traversal completes a deferred fix
                )
            )
    return reports


def repo_findings(reports: Iterable[RepoReport], settings: Settings, display_of: dict[str, str]) -> list[Finding]:
    catalog = load_catalog()
    findings = []
    for report in reports:
        location = Location(
            report.line or 1,
            report.column or 1,
            report.end_line or report.line or 1,
            report.end_column or report.column or 1,
        )
        fingerprint = make_fingerprint(report.code, report.path, report.scope, report.message, 0)
        findings.append(
            build_finding(
                catalog[report.code],
                settings,
                report.message,
                display_of.get(report.path, report.path),
                location,
                fingerprint,
                (location.line, location.end_line),
                report.data,
                # A repo rule names related files as it names its own: map them to display paths.
                [replace(item, path=display_of.get(item.path, item.path)) for item in report.related],
                fix=report.fix,
            )
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
            discover(
                options.paths,
                root,
                settings.exclude,
                settings.extend_exclude,
                settings.respect_gitignore,
                settings.force_exclude,
            )
        )
    # When the root itself was walked, the context files of repo rules are already known.
    walked_root = options.stdin is None and any(
        os.path.abspath(path) in (str(root), str(root.resolve())) for path in options.paths
    )
    tasks = _tasks(files)
    # With stdin the given text is analysed directly; the cache still serves the rest of the repo.
    cache = open_cache(settings, rules, options.paths) if options.cache else None
    if options.stdin is not None:
        given = options.stdin[1]
        raw = given.encode("utf-8") if isinstance(given, str) else given
        results = [analyze_bytes(tasks[0], raw, settings, rules)]
        if cache is not None:
            from mldebtlint.engine.cache import content_digest

            # Known to the repo phase, which may reuse its reports (moved, if the
            # buffer differs from the file on disk only in positions).
            cache.main.digests[tasks[0].relative] = content_digest(raw)
    else:
        results = analyze_all(tasks, settings, rules, options.progress, cache)
    reported = {task.relative for task in tasks}
    by_relative = {task.relative: result for task, result in zip(tasks, results)}
    display_of = {task.relative: task.display for task in tasks}

    repo_findings: list[Finding] = []
    repo_codes = _repo_codes(rules, cache)
    if repo_codes:
        if options.whole_repo_facts:
            candidates = (
                files
                if walked_root
                else discover([root], root, settings.exclude, settings.extend_exclude, settings.respect_gitignore)
            )
            context_files = [f for f in candidates if f.relative not in by_relative and f.python]
            facts_rules = RuleSet(frozenset(repo_codes))
            context_tasks = _tasks(context_files, True)
            for task, result in zip(context_tasks, analyze_all(context_tasks, settings, facts_rules, cache=cache)):
                by_relative[task.relative] = result
                display_of[task.relative] = task.display
        reported_displays = {display_of[relative] for relative in reported}
        repo_findings = [
            finding
            for finding in _cached_repo_findings(
                rules, settings, by_relative, display_of, cache, remember=options.stdin is None
            )
            if finding.path in reported_displays
        ]
    if cache is not None:
        options.warnings.extend(cache.save())
    if not files:
        shown = " ".join(Path(path).as_posix() for path in options.paths)
        options.warnings.append(f"no Python files or manifests to check in {shown}")
    stdin_source = options.stdin[1] if options.stdin is not None else None
    return _finish(results, repo_findings, by_relative, display_of, settings, tasks, stdin_source)


def _repo_codes(rules: RuleSet, cache: CacheSet | None = None) -> frozenset[str]:
    """The enabled repo rules' codes; from the cache if it knows (then no detector is imported)."""
    known = cache.get_meta("repo-codes") if cache is not None else None
    if known is not None:
        return frozenset(known)
    codes = frozenset(cls.code for cls in rules.repo_rules())
    if cache is not None:
        cache.set_meta("repo-codes", sorted(codes))
    return codes


def _cached_repo_findings(
    rules: RuleSet,
    settings: Settings,
    by_relative: dict[str, FileResult],
    display_of: dict[str, str],
    cache: CacheSet | None,
    remember: bool = True,
) -> list[Finding]:
    """``run_repo_rules``, reused from the cache when no file's facts changed
    but in positions (then the stored reports are moved with them).

    ``remember``: store the reports in the cache; not for an editor's unsaved
    buffer (the next keystroke would rewrite the index; the reports of the
    files on disk stay the reference)."""
    with_facts = [relative for relative, result in by_relative.items() if result.facts]
    digests = cache.file_digests(with_facts) if cache is not None else None
    reports = _reusable_reports(cache, digests, by_relative) if cache is not None and digests is not None else None
    if reports is None:
        import gc

        # Decoding every file's facts and building the graph allocates a great many
        # small objects: the cyclic collector would rescan them over and over.
        enabled = gc.isenabled()
        gc.disable()
        try:
            reports = repo_reports(rules, settings, by_relative)
        finally:
            if enabled:
                gc.enable()
    if cache is not None and digests is not None and remember:
        cache.set_meta("repo-reports", (digests, tuple(reports)))
    return repo_findings(reports, settings, display_of)


def _reusable_reports(
    cache: CacheSet, digests: dict[str, str], by_relative: dict[str, FileResult]
) -> list[RepoReport] | None:
    """The stored reports, valid for ``digests`` (moved when files changed in positions only)."""
    stored = cache.get_meta("repo-reports")
    if stored is None or stored[0].keys() != digests.keys():
        return None
    old_digests, reports = stored
    changed = [relative for relative, digest in digests.items() if old_digests[relative] != digest]
    if not changed:
        return list(reports)
    from mldebtlint.engine.repo_reuse import position_map, remap

    maps = {}
    for relative in changed:
        previous = cache.previous_result(relative, old_digests[relative])
        if previous is None or not previous.facts:
            return None
        moved = position_map(previous.facts, by_relative[relative].facts)
        if moved is None:
            return None
        maps[relative] = moved
    return remap(reports, maps)


def _finish(
    results: list[FileResult],
    repo_findings: list[Finding],
    by_relative: dict[str, FileResult],
    display_of: dict[str, str],
    settings: Settings,
    tasks: list[FileTask],
    stdin_source: bytes | str | None = None,
) -> CheckResult:
    from mldebtlint.engine.suppressions import Suppressions

    relative_of_display = {display: relative for relative, display in display_of.items()}
    kept: list[Finding] = []
    suppressed = 0
    all_findings = [f for result in results for f in result.findings] + repo_findings
    # A file that fails to parse for another rule still yields MLD000; drop it
    # when the user disabled MLD000.
    enabled = enabled_codes(settings.select, settings.extend_select, settings.ignore, settings.preview)
    parse_errors_on = PARSE_ERROR_CODE in enabled
    # relative path -> (line, token) of the directives that silenced a finding (MLD001)
    used: dict[str, set[tuple[int, str]]] = {}
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
            silencing = noqa.silencing(finding)
            if silencing:
                used.setdefault(relative, set()).update(silencing)
                suppressed += 1
                continue
        if _per_file_ignored(finding, relative, settings):
            suppressed += 1
            continue
        kept.append(_in_cells(finding, by_relative, relative_of_display))
    if UNUSED_SUPPRESSION_CODE in enabled:
        for finding in _unused_suppressions(results, tasks, used, enabled, settings, stdin_source):
            if _per_file_ignored(finding, relative_of_display.get(finding.path, finding.path), settings):
                suppressed += 1
            else:
                kept.append(_in_cells(finding, by_relative, relative_of_display))
    kept.sort(key=Finding.sort_key)
    return CheckResult(findings=tuple(kept), files=tuple(results), suppressed=suppressed)


UNUSED_SUPPRESSION_CODE = "MLD001"


def _unused_suppressions(
    results: list[FileResult],
    tasks: list[FileTask],
    used: dict[str, set[tuple[int, str]]],
    enabled: frozenset[str],
    settings: Settings,
    stdin_source: bytes | str | None,
) -> list[Finding]:
    """MLD001 for the reported files, once the run knows which directives were used."""
    from mldebtlint.engine.unused_suppressions import unused_suppression_findings

    def reader(task: FileTask) -> Callable[[], str | None]:
        def read() -> str | None:
            if isinstance(stdin_source, str):
                return stdin_source
            try:
                if stdin_source is not None:
                    return decode_source(stdin_source)
                with open(task.path, "rb") as handle:
                    return decode_source(handle.read())
            except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
                return None

        return read

    findings: list[Finding] = []
    for task, result in zip(tasks, results):
        used_here = used.get(task.relative, set())
        findings += unused_suppression_findings(result, task.relative, used_here, enabled, settings, reader(task))
    return findings


def _in_cells(finding: Finding, by_relative: dict[str, FileResult], relative_of_display: dict[str, str]) -> Finding:
    """A finding about a notebook (or resting on one) located in cells, as SPEC section 4 says."""
    result = by_relative.get(relative_of_display.get(finding.path, finding.path))
    notebook_related = any(
        (other := by_relative.get(relative_of_display.get(item.path, item.path))) is not None and other.cells
        for item in finding.related
    )
    if (result is None or not result.cells) and not notebook_related:
        return finding
    from dataclasses import replace

    from mldebtlint.engine.notebook import related_to_cell, to_cell

    if notebook_related:
        related = []
        for item in finding.related:
            other = by_relative.get(relative_of_display.get(item.path, item.path))
            related.append(related_to_cell(item, other.cells) if other is not None and other.cells else item)
        finding = replace(finding, related=tuple(related))
    return to_cell(finding, result.cells) if result is not None and result.cells else finding


def _stdin_file(name: str, root: Path) -> SourceFile:
    from mldebtlint.engine.discovery import is_manifest

    path = Path(os.path.abspath(name))
    manifest = is_manifest(path.name)
    python = path.suffix in (".py", ".pyi", ".ipynb") or not manifest
    return SourceFile(path, display_path(path), relative_to_root(path, root), python, manifest)


def graph_for_paths(paths: Iterable[Path], settings: Settings | None = None) -> networkx.DiGraph:
    """Lint ``paths`` for model-graph facts only and build their graph."""
    from mldebtlint.core.config import load_settings
    from mldebtlint.graph.export import GRAPH_CODES, graph_for_result

    path_list = list(paths)
    settings = settings or load_settings(path_list[0] if path_list else Path("."))
    settings = settings.with_cli(select=GRAPH_CODES)
    result = run(RunOptions(paths=path_list, settings=settings, whole_repo_facts=False))
    return graph_for_result(result)
