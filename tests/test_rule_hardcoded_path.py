"""MLD104 hardcoded-path: machine-specific data/model locations, each with a clean twin."""

from __future__ import annotations

import pytest
from rule_twins import check_twin

CODE = "MLD104"

TWINS = [
    (
        "home-folder csv",
        """
        import pandas as pd
        train = pd.read_csv("/home/alice/churn/data/train.csv")  # <- MLD104
        """,
        """
        import pandas as pd
        train = pd.read_csv("data/train.csv")
        """,
    ),
    (
        "module constant model path",
        """
        import joblib
        MODEL_PATH = "/opt/airflow/model/model.pkl"  # <- MLD104
        model = joblib.load(MODEL_PATH)
        """,
        """
        import os
        import joblib
        MODEL_PATH = os.environ.get("MODEL_PATH", "/opt/airflow/model/model.pkl")
        model = joblib.load(MODEL_PATH)
        """,
    ),
    (
        "colab drive checkpoint",
        """
        import torch
        def save(model):
            torch.save(model.state_dict(), "/content/drive/MyDrive/ckpt/resnet.pt")  # <- MLD104
        """,
        """
        import torch
        def save(model, checkpoint_dir):
            torch.save(model.state_dict(), f"{checkpoint_dir}/resnet.pt")
        """,
    ),
    (
        "kaggle input folder",
        """
        from pathlib import Path
        DATA = Path("/kaggle/input/titanic")  # <- MLD104
        """,
        """
        from pathlib import Path
        DATA = Path(__file__).parent / "input" / "titanic"
        """,
    ),
    (
        "s3 f-string",
        """
        import pandas as pd
        def events(day):
            return pd.read_parquet(f"s3://analytics-prod/events/{day}.parquet")  # <- MLD104
        """,
        """
        import pandas as pd
        def events(bucket, day):
            return pd.read_parquet(f"{bucket}/events/{day}.parquet")
        """,
    ),
    (
        "gcs bucket constant",
        """
        BUCKET = "gs://team-models/recsys/"  # <- MLD104
        """,
        """
        import os
        BUCKET = os.getenv("MODEL_BUCKET", "gs://team-models/recsys/")
        """,
    ),
    (
        "windows drive",
        """
        import pandas as pd
        frame = pd.read_excel("C:\\\\Users\\\\bob\\\\Desktop\\\\sales.xlsx")  # <- MLD104
        """,
        """
        import pandas as pd
        frame = pd.read_excel("inputs/sales.xlsx")
        """,
    ),
    (
        "tmp file written",
        """
        def dump(frame):
            frame.to_csv("/tmp/scores.csv")  # <- MLD104
        """,
        """
        import tempfile
        def dump(frame):
            frame.to_csv(tempfile.gettempdir() + "scores.csv")
        """,
    ),
    (
        "argparse default is overridable",
        """
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--data")
        DATA = "/mnt/shared/data/train.parquet"  # <- MLD104
        """,
        """
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--data", default="/mnt/shared/data/train.parquet")
        """,
    ),
    (
        "function parameter default",
        """
        import pandas as pd
        def load(path):
            return pd.read_csv("/data/warehouse/train.csv")  # <- MLD104
        """,
        """
        import pandas as pd
        def load(path="/data/warehouse/train.csv"):
            return pd.read_csv(path)
        """,
    ),
    (
        "settings class field",
        """
        MODEL_FILE = "/app/models/model.joblib"  # <- MLD104
        """,
        """
        from pydantic_settings import BaseSettings
        class Settings(BaseSettings):
            model_file: str = "/app/models/model.joblib"
        """,
    ),
    (
        "sys.path locates code",
        """
        import sys
        import pandas as pd
        sys.path.append("/home/alice/project/src")
        frame = pd.read_csv("/home/alice/project/data/x.csv")  # <- MLD104
        """,
        """
        import sys
        import pandas as pd
        sys.path.append("/home/alice/project/src")
        frame = pd.read_csv("data/x.csv")
        """,
    ),
    (
        "docstring mentions the path",
        """
        def load():
            '''Reads the table.'''
            return open("/mnt/data/train.csv").read()  # <- MLD104
        """,
        """
        def load(path):
            '''Reads the table (on the cluster it lives in /mnt/data/train.csv).'''
            return open(path).read()
        """,
    ),
    (
        "route decorator is not a file",
        """
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/data/summary")
        def summary():
            return open("/data/summary/latest.json").read()  # <- MLD104
        """,
        """
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/data/summary")
        def summary():
            return {"rows": 10}
        """,
    ),
    (
        "environment handed to a container",
        """
        MODEL_DIR = "/app/models"  # <- MLD104
        """,
        """
        ENV_VARS = {"MODEL_DIR": "/app/models", "PYTHONPATH": "/app"}
        """,
    ),
    (
        "a literal that is an environment variable's default through a name",
        """
        import os
        def output_path(year):
            pattern = "s3://predictions-bucket/year={year}/predictions.parquet"  # <- MLD104
            return pattern.format(year=year)
        """,
        """
        import os
        def output_path(year):
            pattern = "s3://predictions-bucket/year={year}/predictions.parquet"
            return os.getenv("OUTPUT_PATTERN", pattern).format(year=year)
        """,
    ),
    (
        "config file, not data",
        """
        import yaml
        config = yaml.safe_load(open("/opt/service/data/params.json"))  # <- MLD104
        """,
        """
        import yaml
        config = yaml.safe_load(open("/opt/service/config/params.yaml"))
        """,
    ),
]


@pytest.mark.parametrize("positive, negative", [case[1:] for case in TWINS], ids=[case[0] for case in TWINS])
def test_hardcoded_path_twins(tmp_path, positive, negative):
    check_twin(tmp_path, CODE, positive, negative)


def test_test_files_are_not_checked(tmp_path):
    from conftest import lint_source

    source = 'import pandas as pd\nframe = pd.read_csv("/home/alice/data/x.csv")\n'
    assert lint_source(tmp_path, source, select=(CODE,), filename="tests/test_load.py").findings == ()
    assert len(lint_source(tmp_path / "x", source, select=(CODE,), filename="load.py").findings) == 1


def test_finding_carries_the_path_as_data(tmp_path):
    from conftest import lint_source

    result = lint_source(tmp_path, 'MODEL = "s3://bucket/model.pkl"\n', select=(CODE,))
    (finding,) = result.findings
    assert dict(finding.data) == {"path": "s3://bucket/model.pkl", "kind": "bucket"}
