#!/usr/bin/python3
"""Prints the scikit-learn reference values of tests/Astralytiq.Tests/ML/LinearSolverTests.cs: ridge, lasso, binary and
multinomial logistic regression on 30 rows computed from a formula both sides share, features standardized (population
standard deviation) as the platform's linear solver does. The platform's penalties map to scikit-learn's as
Ridge(alpha = n * l2), Lasso(alpha = l1), LogisticRegression(C = 1 / (n * l2))."""
import numpy as np
from sklearn.linear_model import Ridge, Lasso, LogisticRegression
n = 30
i = np.arange(n)
x = np.column_stack([np.sin(i * 0.7) * 3 + i * 0.1, np.cos(i * 1.3) + (i % 4), (i % 5) * 0.5 - 1])
y = 2 * x[:, 0] - 1.5 * x[:, 1] + 0.3 * x[:, 2] + np.sin(i * 2.1)
z = (x - x.mean(axis=0)) / x.std(axis=0)
probe = (np.array([[1.0, 2.0, 0.5]]) - x.mean(axis=0)) / x.std(axis=0)
print("ridge", Ridge(alpha=n * 0.1).fit(z, y).predict(probe)[0])
print("lasso", Lasso(alpha=0.2, tol=1e-12, max_iter=100000).fit(z, y).predict(probe)[0])
yb = (y > np.median(y)).astype(int)
print("logistic", LogisticRegression(C=1 / (n * 0.05), tol=1e-12, max_iter=10000).fit(z, yb).predict_proba(probe)[0, 1])
yc = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
print("multinomial", list(LogisticRegression(C=1 / (n * 0.05), tol=1e-12, max_iter=10000, multi_class="multinomial").fit(z, yc).predict_proba(probe)[0]))
