"""The HTML report's model graph of a 40-model repo, laid out by a real browser
(headless Debian chromium): every model gets its own box, no two boxes overlap,
and every label fits inside its box.

The repo is generated: 8 pipelines of 5 stages, each stage training on the
scores of the previous stage's saved model (the shape of a stacking or
distillation project), so the graph has 40 models and 32 edges.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_html_browser import CHROMIUM, chromium

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

PIPELINES, STAGES = 8, 5

MEASURE = """
<script>
window.addEventListener("load", () => {
  const svg = document.querySelector("svg[aria-label='model dependency graph']");
  const groups = svg ? [...svg.querySelectorAll("g")] : [];
  const boxes = groups.map((g) => {
    const box = g.querySelector("rect").getBoundingClientRect();
    const text = g.querySelector("text").getBoundingClientRect();
    return {box: [box.left, box.top, box.right, box.bottom], text: [text.left, text.top, text.right, text.bottom],
            label: g.querySelector("title").textContent};
  });
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(boxes);
  document.body.appendChild(out);
});
</script>
"""


def write_stage(folder: Path, pipeline: int, stage: int) -> None:
    name = f"p{pipeline}_stage{stage}"
    lines = [
        "import joblib",
        "import pandas as pd",
        "from sklearn.linear_model import LogisticRegression",
        "",
        "",
        "def main():",
        '    frame = pd.read_parquet("data/features.parquet")',
    ]
    columns = '["tenure", "spend"]'
    if stage:
        lines += [
            f'    upstream = joblib.load("models/p{pipeline}_stage{stage - 1}.joblib")',
            '    frame["upstream_score"] = upstream.predict_proba(frame[["tenure", "spend"]])[:, 1]',
        ]
        columns = '["tenure", "spend", "upstream_score"]'
    lines += [
        "    model = LogisticRegression()",
        f'    model.fit(frame[{columns}], frame["churned"])',
        f'    joblib.dump(model, "models/{name}.joblib")',
        "",
        "",
        'if __name__ == "__main__":',
        "    main()",
        "",
    ]
    (folder / f"train_{name}.py").write_text("\n".join(lines), encoding="utf-8")


def overlap(a: list[float], b: list[float], tolerance: float = 0.5) -> bool:
    return a[0] < b[2] - tolerance and b[0] < a[2] - tolerance and a[1] < b[3] - tolerance and b[1] < a[3] - tolerance


def test_forty_model_graph_has_one_box_per_model_and_none_overlap(tmp_path: Path):
    project = tmp_path / "stacking"
    project.mkdir()
    (project / "mldebtlint.toml").write_text("", encoding="utf-8")
    for pipeline in range(PIPELINES):
        for stage in range(STAGES):
            write_stage(project, pipeline, stage)
    page = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "mldebtlint", "report", "--output-format", "html", "-o", str(page), str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    html = page.read_text(encoding="utf-8")
    # Every edge lies on an offending chain (each pipeline is 4 edges long, the limit is 1): all drawn red.
    assert html.count("stroke='#c62828'") == PIPELINES * (STAGES - 1)
    measured_page = tmp_path / "measured.html"
    measured_page.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")

    dumped = chromium(tmp_path, measured_page, "--dump-dom", "--virtual-time-budget=5000")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dumped.stdout, re.S)
    assert found, dumped.stderr[-2000:]
    boxes = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))

    labels = [item["label"] for item in boxes]
    assert len(boxes) == PIPELINES * STAGES, labels
    assert len(set(labels)) == len(labels), "two boxes for one model"
    assert all(f"p{p}_stage{s}" in " ".join(labels) for p in range(PIPELINES) for s in range(STAGES))
    for index, first in enumerate(boxes):
        width, height = first["box"][2] - first["box"][0], first["box"][3] - first["box"][1]
        assert width > 20 and height > 10, first  # drawn, not collapsed
        for second in boxes[index + 1 :]:
            assert not overlap(first["box"], second["box"]), (first["label"], second["label"])
        text, box = first["text"], first["box"]
        assert box[0] - 0.5 <= text[0] and text[2] <= box[2] + 0.5, f"label overflows its box: {first['label']}"
