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
