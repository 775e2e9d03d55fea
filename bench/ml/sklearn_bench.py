#!/usr/bin/python3
"""Peer for the ML benchmark: scikit-learn (Debian's python3-sklearn) on the datasets it ships.

Writes each dataset's train/test split (25 % test, random_state=0, stratified for classification) to CSV
for Astralytiq's side, then fits scikit-learn's counterparts with their defaults on the same split and prints
one JSON line per result: held-out metric and fit time. "best_default" picks among the four by 5-fold CV
on the training rows (what a user comparing defaults would do) and times that whole selection plus the refit.
Usage: sklearn_bench.py OUT_DIR
"""
import json, sys, time
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split, cross_val_score
from sklearn.ensemble import GradientBoostingRegressor, GradientBoostingClassifier, RandomForestRegressor, RandomForestClassifier
from sklearn.ensemble import HistGradientBoostingRegressor, HistGradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import r2_score, roc_auc_score, accuracy_score, log_loss

out = sys.argv[1]
loaders = {
    "diabetes": ("regression", datasets.load_diabetes),
    "breast_cancer": ("binary_classification", datasets.load_breast_cancer),
    "wine": ("multiclass_classification", datasets.load_wine),
    "digits": ("multiclass_classification", datasets.load_digits),
}

def models(task):
    if task == "regression":
        return {
            "lightgbm": HistGradientBoostingRegressor(random_state=0),
            "fast_tree": GradientBoostingRegressor(random_state=0),
            "fast_forest": RandomForestRegressor(random_state=0, n_jobs=1),
            "linear": make_pipeline(StandardScaler(), LinearRegression()),
        }
    return {
        "lightgbm": HistGradientBoostingClassifier(random_state=0),
        "fast_tree": GradientBoostingClassifier(random_state=0),
        "fast_forest": RandomForestClassifier(random_state=0, n_jobs=1),
        "linear": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    }

def score(task, model, x, y):
    if task == "regression":
        return "r2", r2_score(y, model.predict(x))
    if task == "binary_classification":
        return "roc_auc", roc_auc_score(y, model.predict_proba(x)[:, 1])
    return "accuracy", accuracy_score(y, model.predict(x))

for name, (task, load) in loaders.items():
    data = load()
    x, y = data.data, data.target
    stratify = None if task == "regression" else y
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=stratify)
    columns = [f"f{i}" for i in range(x.shape[1])]
    for part, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
        with open(f"{out}/{name}.{part}.csv", "w") as f:
            f.write(",".join(columns + ["target"]) + "\n")
            for row, target in zip(xs, ys):
                f.write(",".join(repr(float(v)) for v in row) + "," + (repr(float(target)) if task == "regression" else f"c{int(target)}") + "\n")
    cv_metric = "r2" if task == "regression" else "roc_auc" if task == "binary_classification" else "accuracy"
    start_all = time.perf_counter()
    cv = {}
    for algorithm, model in models(task).items():
        cv[algorithm] = cross_val_score(model, x_train, y_train, cv=5, scoring=cv_metric).mean()
    for algorithm, model in models(task).items():
        start = time.perf_counter()
        model.fit(x_train, y_train)
        seconds = time.perf_counter() - start
        metric, value = score(task, model, x_test, y_test)
        print(json.dumps({"side": "sklearn", "dataset": name, "task": task, "algorithm": algorithm, "metric": metric, "value": value, "seconds": seconds}))
    best = max(cv, key=cv.get)
    model = models(task)[best]
    fit_start = time.perf_counter()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - fit_start
    seconds = time.perf_counter() - start_all
    metric, value = score(task, model, x_test, y_test)
    loss = None if task == "regression" else log_loss(y_test, model.predict_proba(x_test))
    # seconds: the whole selection (5-fold CV of the four, then the refit); fit_seconds: one fit of the chosen default.
    print(json.dumps({"side": "sklearn", "dataset": name, "task": task, "algorithm": "best_default", "chosen": best, "metric": metric, "value": value,
                      "seconds": seconds, "fit_seconds": fit_seconds, "log_loss": loss}))
