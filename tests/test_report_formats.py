"""Each report format, checked structurally on the same known report."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from test_report_model import sample_report, validate

from mldebtlint.report import FORMATS, render


def trend_report() -> dict:
    """The sample report compared with an older one that had an extra MLD000
    in src/old.py and no glue code."""
    from test_report_model import NOW, make, sample_findings, sample_result

    from mldebtlint.core.config import Settings
    from mldebtlint.report.model import build_report

    old = [f for f in sample_findings() if f.code != "MLD201"]
    old.append(make("MLD000", "parse-error", "tooling", "src/old.py", 4, 5, 0.33, "gone", "syntax error"))
    previous = build_report(sample_result(old), Settings(ratio_model="sqale"), now=NOW)
    return sample_report(previous=previous, previous_label="last-week.json")


# -- text ------------------------------------------------------------------------


def test_formats_registry():
    assert set(FORMATS) == {"text", "markdown", "json", "html"}


def test_text_fits_100_columns_and_has_every_section():
    text = render("text", trend_report())
    assert max(len(line) for line in text.splitlines()) <= 100
    for heading in (
        "Debt by category",
        "Debt by rule",
        "Hotspot files",
        "Top 7 of 7 debt items, by category",
        "Model dependency graph",
        "Dependency health",
        "Trend since last-week.json",
    ):
        assert heading in text
    assert "Rating A" in text and "debt ratio 3.07%" in text and "remediation 7h 40min" in text
    assert "7 findings in 6 of 7 files, 500 lines of code" in text
    assert "chain  churn_model -> upsell_model -> offer_ranker  (src/offers.py:20)" in text
    assert "cycle  ranker -> clicks -> ranker" in text
    assert "fixed  MLD000  src/old.py:4  syntax error" in text
    assert "new    MLD201  src/features.py:5" in text
    assert "debt +55min" in text and "findings +0 (1 new, 1 fixed)" in text


def test_text_tables_are_aligned():
    lines = render("text", sample_report()).splitlines()
    start = lines.index("Debt by category") + 2
    table = lines[start : start + 6]
    header = table[0]
    # Right-aligned numeric columns end at the same column as their header.
    debt_end = header.index("debt") + len("debt")
    assert all(row[debt_end - 1] != " " and (len(row) == debt_end or row[debt_end] == " ") for row in table[1:])
    assert table[1].split()[0] == "model" and table[1].split()[2] == "6h"


def test_text_long_paths_are_shortened_not_wrapped():
    report = sample_report()
    long_path = "src/" + "very_long_folder_name/" * 8 + "module.py"
    report["files"][0]["path"] = long_path
    report["items"][0]["message"] = "x" * 300
    text = render("text", report)
    assert max(len(line) for line in text.splitlines()) <= 100
    hotspot_line = next(line for line in text.splitlines() if "module.py" in line)
    assert hotspot_line.lstrip().startswith("...") and "very_long_folder_name/module.py" in hotspot_line


def test_text_clean_repo():
    from test_report_model import NOW

    from mldebtlint.core.config import Settings
    from mldebtlint.core.types import CheckResult, FileResult
    from mldebtlint.report.model import build_report

    report = build_report(CheckResult((), (FileResult("a.py", lines=10),)), Settings(), target="clean", now=NOW)
    text = render("text", report)
    assert "Rating A" in text and "No debt found." in text and "Debt by rule" not in text


# -- markdown --------------------------------------------------------------------


def markdown_tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_tables_are_well_formed():
    text = render("markdown", trend_report())
    tables = markdown_tables(text)
    assert len(tables) >= 8
    for table in tables:
        assert re.fullmatch(r"\|( ---:? \|)+", table[1]), table[1]
        assert len({cells(row) for row in table}) == 1, table


def test_markdown_content():
    report = sample_report()
    report["items"][1]["message"] = "a | pipe"
    text = render("markdown", report)
    assert text.startswith("## mldebtlint report: `demo`")
    assert "**Rating A**" in text and "debt ratio **3.07%**" in text
    assert "a \\| pipe" in text
    assert "```mermaid\ngraph LR" in text and "-->" in text
    assert "### Dependency health" in text and "`requirements.txt:3`" in text


# -- json ------------------------------------------------------------------------


def test_json_round_trips_and_validates():
    report = trend_report()
    loaded = json.loads(render("json", report))
    assert loaded == json.loads(json.dumps(report))
    validate(loaded)


# -- html ------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: dict[str, str] = {}
        self.attrs: list[tuple[str, str]] = []
        self._current: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((name, value or ""))
            if name == "id":
                self._current = value
                self.ids[value] = ""

    def handle_data(self, data):
        self.text.append(data)
        if self._current is not None:
            self.ids[self._current] += data

    def handle_endtag(self, tag):
        self._current = None


def parse_html(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


def test_html_is_self_contained():
    text = render("html", trend_report())
    page = parse_html(text)
    assert (
        "script" not in page.tags and "link" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    )
    for name, value in page.attrs:
        if name in ("src", "href"):
            raise AssertionError(f"external reference {name}={value}")
    # The only URL is the SVG namespace, which is an identifier, not a fetch.
    urls = set(re.findall(r"https?://[^\s'\"<>]+", text))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in text and "url(http" not in text


def test_html_has_charts_and_numbers():
    page = parse_html(render("html", trend_report()))
    assert page.tags.count("svg") >= 5  # category, rule, hotspots, graph, trend
    assert page.ids["rating"] == "A"
    assert page.ids["debt-ratio"] == "3.07%"
    assert page.ids["remediation"] == "7h 40min"
    assert (page.ids["findings"], page.ids["files"], page.ids["lines"]) == ("7", "7", "500")
    assert (page.ids["trend-new"], page.ids["trend-fixed"]) == ("1", "1")
    assert page.ids["trend-debt"] == "+55min"
    for section in ("categories", "rules", "hotspots", "items", "model-graph", "dependencies", "trend"):
        assert section in page.ids
    text = "".join(page.text)
    assert "churn_model -> upsell_model -> offer_ranker" in text
    assert "debt by category" in text and "model dependency graph" in text


def test_html_escapes_user_content():
    report = sample_report()
    report["items"][0]["message"] = "<script>alert(1)</script>"
    report["target"] = "<b>x</b>"
    text = render("html", report)
    assert "<script>" not in text and "&lt;script&gt;" in text and "<b>x</b>" not in text
