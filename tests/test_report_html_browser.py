"""The HTML report in a real browser: headless Debian chromium takes a
screenshot (must not be blank) and dumps the DOM (must hold the numbers).

Skipped, with the reason, only when chromium is not installed (``.ci/run``
installs it with apt where apt is available).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_report_formats import parse_html, trend_report

from mldebtlint.report import render

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does it when it can)"
)
WIDTH, HEIGHT = 1280, 900


def chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of raw RGB(A) bytes) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, b"", None
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, color_type, _, _, interlace = header
    assert depth == 8 and color_type in (2, 6) and interlace == 0, header
    channels = 3 if color_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            predictor = (0, left, up, (left + up) // 2, _paeth(left, up, up_left))[kind]
            line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return (
        width,
        height,
        [bytes(row) for row in rows]
        if channels == 3
        else [b"".join(row[i : i + 3] for i in range(0, len(row), 4)) for row in rows],
    )


def test_screenshot_is_not_blank(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render("html", trend_report()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, page, f"--screenshot={shot}")
    assert shot.is_file(), done.stderr[-2000:]
    width, height, rows = decode_png(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    colors, ink = set(), 0
    for row in rows[::4]:
        for x in range(0, len(row), 3 * 4):
            pixel = row[x : x + 3]
            colors.add(pixel)
            ink += max(pixel) < 200  # dark enough to be text, bars or the rating badge
    sampled = len(rows[::4]) * len(range(0, len(rows[0]), 12))
    assert len(colors) > 50, "the page rendered almost uniformly"
    assert 0.01 < ink / sampled < 0.6


def test_dom_holds_the_numbers(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render("html", trend_report()), encoding="utf-8")
    done = chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = parse_html(done.stdout)
    assert dom.ids["rating"] == "A"
    assert dom.ids["debt-ratio"] == "3.07%"
    assert dom.ids["remediation"] == "7h 40min"
    assert (dom.ids["findings"], dom.ids["files"], dom.ids["lines"]) == ("7", "7", "500")
    assert (dom.ids["trend-new"], dom.ids["trend-fixed"], dom.ids["trend-debt"]) == ("1", "1", "+55min")
    assert dom.tags.count("svg") >= 5
    text = "".join(dom.text)
    assert "churn_model -> upsell_model -> offer_ranker" in text
    assert "src/retrain.py" in text and "requirements.txt:3" in text


def history_data() -> dict:
    """Five commits whose debt rises over the C band and falls back."""
    debts = [30, 45, 160, 240, 60]
    rows = []
    for index, debt in enumerate(debts):
        ratio = round(debt / 30000, 6)
        rows.append(
            {
                "commit": f"{index:040x}",
                "short": f"c0ffee0{index}",
                "date": f"2026-03-0{index + 1}T10:00:00Z",
                "author": "dev",
                "subject": f"step {index}",
                "merge": False,
                "rating": "ABCDE"[min(4, sum(ratio > limit for limit in (0.0005, 0.001, 0.0025, 0.005)))],
                "debt_ratio": ratio,
                "debt_minutes": debt,
                "findings": index + 1,
                "lines": 1000,
                "ratio_lines": 1000,
                "categories": {"configuration": debt // 3, "model": debt - debt // 3},
                "rules": {"MLD101": debt // 3, "MLD402": debt - debt // 3},
                "new_count": None if index == 0 else 1,
                "fixed_count": None if index == 0 else 0,
                "new": [],
                "fixed": [],
                "files_grown": [],
            }
        )
    return {
        "schema_version": "1.0",
        "tool": {"name": "mldebtlint", "version": "0"},
        "generated_at": "2026-03-06T00:00:00Z",
        "target": "demo",
        "branch": "HEAD",
        "ratio_model": "ml-code",
        "thresholds": {"A": 0.0005, "B": 0.001, "C": 0.0025, "D": 0.005},
        "notes": [],
        "commits": rows,
        "hotspots": [{"path": "src/train.py", "changes": 4, "debt_minutes": 60, "score": 240}],
        "stats": {"commits": 5, "blobs_analysed": 9, "seconds": 1.0},
    }


def test_history_chart_renders_and_holds_the_series(tmp_path):
    import json

    import jsonschema
    from conftest import REPO

    from mldebtlint.report.history_render import render as render_history

    data = history_data()
    schema = json.loads((REPO / "schemas" / "history.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    page = tmp_path / "history.html"
    page.write_text(render_history("html", data), encoding="utf-8")
    shot = tmp_path / "history.png"
    done = chromium(tmp_path, page, f"--screenshot={shot}")
    assert shot.is_file(), done.stderr[-2000:]
    _, _, rows = decode_png(shot.read_bytes())
    colors = {row[x : x + 3] for row in rows[::4] for x in range(0, len(row), 12)}
    assert len(colors) > 30, "the page rendered almost uniformly"
    # The rating bands are drawn: their pale fills are on screen.
    assert {bytes.fromhex("e8f5e9"), bytes.fromhex("fffde7")} <= colors
    done = chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = parse_html(done.stdout)
    assert dom.ids["rating"] == "C"  # the last commit's: 60 min over 30000 (0.2%)
    assert [dom.ids[f"debt-c0ffee0{index}"] for index in range(5)] == ["30min", "45min", "2h 40min", "4h", "1h"]
    assert dom.ids["ratio-c0ffee03"] == "0.80%"
    ratios = [value for name, value in dom.attrs if name == "data-ratio"]
    assert ratios == [str(row["debt_ratio"]) for row in data["commits"]]
    assert {value for name, value in dom.attrs if name == "data-series"} == {"ratio", "total", "configuration", "model"}
    assert {value for name, value in dom.attrs if name == "class" and value == "band"}
