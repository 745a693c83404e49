"""``--format junit``: JUnit XML, which most CI systems display as test results.

One ``<testsuite>`` per checked file; each finding is a failing
``<testcase>`` and a file without findings gets one passing testcase, so the
CI page also shows what was checked. A notebook finding's ``line`` attribute is
the line of the ``.ipynb`` text; its name says the cell.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from mldebtlint.core.types import CheckResult, Finding
from mldebtlint.output.text import location_text

# Characters XML 1.0 cannot hold (binary files can put them in messages).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _failure_case(suite: ET.Element, finding: Finding) -> None:
    location = finding.location
    cell = f"cell {finding.cell}, " if finding.cell is not None else ""
    file_line = finding.file_lines[0] if finding.file_lines is not None else location.line
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": _clean(f"{finding.code} [{finding.rule}] {cell}line {location.line}, col {location.column}"),
            "classname": _clean(finding.path),
            "file": _clean(finding.path),
            "line": str(file_line),
        },
    )
    failure = ET.SubElement(case, "failure", {"message": _clean(finding.message), "type": finding.code})
    failure.text = _clean(
        f"{location_text(finding)}: {finding.code} [{finding.rule}] {finding.message} (debt {finding.debt_minutes} min)"
    )


def junit_tree(result: CheckResult) -> ET.Element:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.path].append(finding)
    paths = sorted(set(by_file) | {file.path for file in result.files})
    root = ET.Element(
        "testsuites",
        {
            "name": "mldebtlint",
            "tests": str(sum(max(len(by_file[path]), 1) for path in paths)),
            "failures": str(len(result.findings)),
            "errors": "0",
        },
    )
    for path in paths:
        findings = by_file[path]
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _clean(path),
                "tests": str(max(len(findings), 1)),
                "failures": str(len(findings)),
                "errors": "0",
                "skipped": "0",
            },
        )
        if not findings:
            ET.SubElement(suite, "testcase", {"name": "mldebtlint", "classname": _clean(path), "file": _clean(path)})
        for finding in findings:
            _failure_case(suite, finding)
    return root


def render(result: CheckResult) -> str:
    root = junit_tree(result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
