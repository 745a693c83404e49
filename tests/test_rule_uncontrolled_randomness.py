"""MLD601 uncontrolled-randomness: unseeded training entry points, each with a seeded twin."""

from __future__ import annotations

import pytest
from conftest import lint_source
from rule_twins import check_twin

CODE = "MLD601"

TWINS = [
    (
        "split and forest in a script",
        """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)  # <- MLD601
        RandomForestClassifier().fit(X_train, y_train)
        """,
        """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
        RandomForestClassifier(random_state=0).fit(X_train, y_train)
        """,
    ),
    (
        "numpy seed covers sklearn estimators",
        """
        from sklearn.ensemble import ExtraTreesRegressor
        model = ExtraTreesRegressor(n_estimators=100)  # <- MLD601
        model.fit(X, y)
        """,
        """
        import numpy as np
        from sklearn.ensemble import ExtraTreesRegressor
        np.random.seed(3)
        model = ExtraTreesRegressor(n_estimators=100)
        model.fit(X, y)
        """,
    ),
    (
        "torch seed does not seed random.shuffle",
        """
        import random
        import torch
        torch.manual_seed(0)
        random.shuffle(rows)  # <- MLD601
        model.fit(rows)
        """,
        """
        import random
        import torch
        torch.manual_seed(0)
        random.seed(0)
        random.shuffle(rows)
        model.fit(rows)
        """,
    ),
    (
        "shuffling loader in main()",
        """
        from torch.utils.data import DataLoader
        def main():
            loader = DataLoader(dataset, batch_size=32, shuffle=True)  # <- MLD601
            for batch in loader:
                model(batch).sum().backward()
        if __name__ == "__main__":
            main()
        """,
        """
        import torch
        from torch.utils.data import DataLoader
        def main():
            loader = DataLoader(dataset, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(1))
            for batch in loader:
                model(batch).sum().backward()
        if __name__ == "__main__":
            main()
        """,
    ),
    (
        "seed helper of the same file seeds what it seeds",
        """
        import numpy as np
        import torch
        def set_seed(seed):
            torch.manual_seed(seed)
        if __name__ == "__main__":
            set_seed(1)
            idx = np.random.permutation(len(X))  # <- MLD601
            model.fit(X[idx], y[idx])
        """,
        """
        import numpy as np
        import torch
        def set_seed(seed):
            torch.manual_seed(seed)
            np.random.seed(seed)
        if __name__ == "__main__":
            set_seed(1)
            idx = np.random.permutation(len(X))
            model.fit(X[idx], y[idx])
        """,
    ),
    (
        "imported seed_everything seeds all",
        """
        from torch import nn
        def main():
            net = nn.Linear(16, 1)  # <- MLD601
            net(x).sum().backward()
        if __name__ == "__main__":
            main()
        """,
        """
        from lightning import seed_everything
        from torch import nn
        def main():
            seed_everything(42)
            net = nn.Linear(16, 1)
            net(x).sum().backward()
        if __name__ == "__main__":
            main()
        """,
    ),
    (
        "a local nn.Module initialises weights",
        """
        import torch
        from torch import nn
        class Net(nn.Module):
            def forward(self, x):
                return x
        model = Net()  # <- MLD601
        model(x).sum().backward()
        """,
        """
        import torch
        from torch import nn
        class Net(nn.Module):
            def forward(self, x):
                return x
        torch.manual_seed(5)
        model = Net()
        model(x).sum().backward()
        """,
    ),
    (
        "seed set after the random call is too late",
        """
        import numpy as np
        from sklearn.cluster import KMeans
        km = KMeans(n_clusters=8)  # <- MLD601
        np.random.seed(0)
        km.fit(X)
        """,
        """
        import numpy as np
        from sklearn.cluster import KMeans
        np.random.seed(0)
        km = KMeans(n_clusters=8)
        km.fit(X)
        """,
    ),
    (
        "KFold shuffles only when asked",
        """
        from sklearn.model_selection import KFold
        for tr, va in KFold(n_splits=5, shuffle=True).split(X):  # <- MLD601
            model.fit(X[tr], y[tr])
        """,
        """
        from sklearn.model_selection import KFold
        for tr, va in KFold(n_splits=5).split(X):
            model.fit(X[tr], y[tr])
        """,
    ),
    (
        "train_test_split without shuffling is deterministic",
        """
        from sklearn.model_selection import train_test_split
        train, valid = train_test_split(series, test_size=0.1)  # <- MLD601
        model.fit(train)
        """,
        """
        from sklearn.model_selection import train_test_split
        train, valid = train_test_split(series, test_size=0.1, shuffle=False)
        model.fit(train)
        """,
    ),
    (
        "surprise SVD",
        """
        from surprise import SVD
        algo = SVD(n_factors=50)  # <- MLD601
        algo.fit(trainset)
        """,
        """
        from surprise import SVD
        algo = SVD(n_factors=50, random_state=7)
        algo.fit(trainset)
        """,
    ),
    (
        "implicit ALS in a click command",
        """
        import click
        from implicit.als import AlternatingLeastSquares
        @click.command()
        def train():
            model = AlternatingLeastSquares(factors=64)  # <- MLD601
            model.fit(matrix)
        """,
        """
        import click
        from implicit.als import AlternatingLeastSquares
        @click.command()
        def train():
            model = AlternatingLeastSquares(factors=64, random_state=0)
            model.fit(matrix)
        """,
    ),
    (
        "random_state=None is no seed",
        """
        from sklearn.linear_model import SGDClassifier
        clf = SGDClassifier(random_state=None)  # <- MLD601
        clf.fit(X, y)
        """,
        """
        from sklearn.linear_model import SGDClassifier
        clf = SGDClassifier(random_state=13)
        clf.fit(X, y)
        """,
    ),
    (
        "an unseeded default_rng is never controlled",
        """
        import numpy as np
        np.random.seed(0)
        rng = np.random.default_rng()  # <- MLD601
        model.fit(X[rng.permutation(len(X))])
        """,
        """
        import numpy as np
        np.random.seed(0)
        rng = np.random.default_rng(0)
        model.fit(X[rng.permutation(len(X))])
        """,
    ),
    (
        "no training, no finding",
        """
        import random
        sample = random.sample(users, 100)  # <- MLD601
        model.fit(sample)
        """,
        """
        import random
        sample = random.sample(users, 100)
        print(sample)
        """,
    ),
    (
        "keras layers and tf seed",
        """
        from tensorflow import keras
        model = keras.Sequential([keras.layers.Dense(32)])  # <- MLD601
        model.fit(X, y, epochs=3)
        """,
        """
        import tensorflow as tf
        from tensorflow import keras
        tf.keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.layers.Dense(32)])
        model.fit(X, y, epochs=3)
        """,
    ),
    (
        "**params may carry random_state",
        """
        from sklearn.ensemble import RandomForestRegressor
        rf = RandomForestRegressor(max_depth=params["max_depth"])  # <- MLD601
        rf.fit(X_train, y_train)
        """,
        """
        from sklearn.ensemble import RandomForestRegressor
        rf = RandomForestRegressor(**params)
        rf.fit(X_train, y_train)
        """,
    ),
    (
        "lightgbm is deterministic by default",
        """
        import lightgbm as lgb
        from sklearn.utils import shuffle
        X_s, y_s = shuffle(X, y)  # <- MLD601
        booster = lgb.train(params, lgb.Dataset(X_s, y_s))
        """,
        """
        import lightgbm as lgb
        booster = lgb.train(params, lgb.Dataset(X, y))
        """,
    ),
    (
        "a random forest has a random_state, a linear regression has none",
        """
        from sklearn.ensemble import RandomForestRegressor
        model = RandomForestRegressor()  # <- MLD601
        model.fit(X, y)
        """,
        """
        from sklearn.linear_model import LinearRegression
        model = LinearRegression()
        model.fit(X, y)
        """,
    ),
    (
        "a torch layer is initialised at random, a loss is not",
        """
        from torch import nn
        head = nn.Linear(128, 2)  # <- MLD601
        loss = nn.CrossEntropyLoss()(head(x), y)
        loss.backward()
        """,
        """
        from torch import nn
        loss = nn.CrossEntropyLoss()(x, y)
        loss.backward()
        """,
    ),
    (
        "a keras dense layer is initialised at random, a flatten layer is not",
        """
        import tensorflow as tf
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])  # <- MLD601
        model.fit(X, y)
        """,
        """
        import tensorflow as tf
        model = tf.keras.Sequential([tf.keras.layers.Flatten()])
        model.fit(X, y)
        """,
    ),
    (
        "a model class of this file and its subclass initialise weights, a dataset class does not",
        """
        from torch import nn
        from torch.utils.data import Dataset
        class Base(nn.Module):
            pass
        class Net(Base):
            pass
        model = Net()  # <- MLD601
        model(x).sum().backward()
        """,
        """
        from torch import nn
        from torch.utils.data import Dataset
        class Base(Dataset):
            pass
        class Net(Base):
            pass
        model = Net()
        model(x).sum().backward()
        """,
    ),
    (
        "a pandas sample by fraction is random, one with random_state is not",
        """
        from sklearn.linear_model import LogisticRegression
        train = frame.sample(frac=0.8)  # <- MLD601
        LogisticRegression().fit(train[features], train[label])
        """,
        """
        from sklearn.linear_model import LogisticRegression
        train = frame.sample(frac=0.8, random_state=7)
        LogisticRegression().fit(train[features], train[label])
        """,
    ),
    (
        "a tf.data shuffle without a seed",
        """
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices((X, y)).shuffle(1000).batch(32)  # <- MLD601
        model.fit(ds)
        """,
        """
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices((X, y)).shuffle(1000, seed=7).batch(32)
        model.fit(ds)
        """,
    ),
    (
        "cross-validating a booster trains it, building its matrix does not",
        """
        import numpy as np
        import xgboost as xgb
        np.random.shuffle(idx)  # <- MLD601
        xgb.cv(params, dtrain)
        """,
        """
        import numpy as np
        import xgboost as xgb
        np.random.shuffle(idx)
        dtrain = xgb.DMatrix(X, y)
        """,
    ),
    (
        "a trainer's train() trains, a module's train() switches its mode",
        """
        import random
        random.shuffle(examples)  # <- MLD601
        trainer.train()
        """,
        """
        import random
        random.shuffle(examples)
        model.train()
        """,
    ),
    (
        "a command is an entry point, a helper nobody calls is not",
        """
        import click
        from sklearn.ensemble import RandomForestClassifier
        @click.command()
        def main():
            RandomForestClassifier().fit(X, y)  # <- MLD601
        """,
        """
        import click
        from sklearn.ensemble import RandomForestClassifier
        def helper():
            RandomForestClassifier().fit(X, y)
        """,
    ),
    (
        "a seed set at module level covers a command, one under the main guard does not",
        """
        import click
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        @click.command()
        def main():
            RandomForestClassifier().fit(X, y)  # <- MLD601
        if __name__ == "__main__":
            np.random.seed(0)
            main()
        """,
        """
        import click
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        np.random.seed(0)
        @click.command()
        def main():
            RandomForestClassifier().fit(X, y)
        if __name__ == "__main__":
            main()
        """,
    ),
]


@pytest.mark.parametrize("positive, negative", [case[1:] for case in TWINS], ids=[case[0] for case in TWINS])
def test_uncontrolled_randomness_twins(tmp_path, positive, negative):
    check_twin(tmp_path, CODE, positive, negative)


def test_one_finding_per_entry_point_at_its_first_unseeded_call(tmp_path):
    source = (
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.model_selection import train_test_split\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        "RandomForestClassifier().fit(X_train, y_train)\n"
    )
    findings = lint_source(tmp_path, source, select=(CODE,)).findings
    assert [(f.line, dict(f.data)["generator"]) for f in findings] == [(3, "numpy")]


def test_airflow_task_is_an_entry_point(tmp_path):
    source = (
        "from airflow.operators.python import PythonOperator\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "def retrain():\n"
        "    RandomForestClassifier().fit(X, y)\n"
        "task = PythonOperator(task_id='retrain', python_callable=retrain)\n"
    )
    findings = lint_source(tmp_path, source, select=(CODE,)).findings
    assert [(f.line, dict(f.data)["entry_point"]) for f in findings] == [(4, "retrain()")]
