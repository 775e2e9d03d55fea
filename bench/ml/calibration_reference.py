#!/usr/bin/python3
"""Prints the scikit-learn reference values of tests/Astralytiq.Tests/ML/SearchTests.cs (Platt and isotonic calibration on 40 seeded probabilities)."""
import numpy as np
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression
rng = np.random.RandomState(3)
p = np.round(rng.beta(2, 2, 40), 4)
y = (rng.rand(40) < p**1.7).astype(int)
f = np.log(np.clip(p,1e-12,1-1e-12)/(1-np.clip(p,1e-12,1-1e-12)))
a, b = _sigmoid_calibration(f, y)
print("p =", list(p)); print("y =", list(y)); print("a b", -a, -b)
iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(p, y)
q = [0.0, 0.05, 0.2, 0.33, 0.5, 0.61, 0.8, 0.97, 1.0]
print("iso", list(iso.predict(q)))
