#!/usr/bin/python3
"""Writes test/eval/metrics-golden.json: MMSA's MOSI/MOSEI regression metrics on fixed prediction sets.

Run with Debian's python3-sklearn and numpy (apt-get install -y python3-sklearn):
    /usr/bin/python3 test/eval/make_metrics_golden.py

`eval_mosei_regression` below is MMSA's MetricsTop.__eval_mosei_regression
(thuiar/MMSA, src/MMSA/utils/metricsTop.py) with only these changes:
  - it takes numpy float64 arrays instead of torch tensors (no .view/.cpu/.detach);
  - `f1_order='pred-first'` swaps the f1_score arguments as MMSA did before May 2021
    (utils/metricsTop.py, MMSA issue #17);
  - an all-zero truth (empty Non0 set), where MMSA raises IndexError, gives nan for the Non0 keys,
    which is the kit's documented definition;
  - it returns the unrounded values too.
The TypeScript test (test/eval/metrics.test.ts) reads the JSON; it never runs Python.
"""
import json
import math
import os
import warnings

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score

warnings.filterwarnings("ignore")  # numpy's corrcoef warns on constant input (gives nan, as we test)


def multiclass_acc(y_pred, y_true):
    return np.sum(np.round(y_pred) == np.round(y_true)) / float(len(y_true))


def eval_mosei_regression(test_preds, test_truth, f1_order="truth-first"):
    f1 = (lambda t, p: f1_score(t, p, average='weighted')) if f1_order == "truth-first" \
        else (lambda t, p: f1_score(p, t, average='weighted'))

    test_preds_a7 = np.clip(test_preds, a_min=-3., a_max=3.)
    test_truth_a7 = np.clip(test_truth, a_min=-3., a_max=3.)
    test_preds_a5 = np.clip(test_preds, a_min=-2., a_max=2.)
    test_truth_a5 = np.clip(test_truth, a_min=-2., a_max=2.)

    mae = np.mean(np.absolute(test_preds - test_truth))
    corr = np.corrcoef(test_preds, test_truth)[0][1]
    mult_a7 = multiclass_acc(test_preds_a7, test_truth_a7)
    mult_a5 = multiclass_acc(test_preds_a5, test_truth_a5)

    non_zeros = np.array([i for i, e in enumerate(test_truth) if e != 0])
    if len(non_zeros) == 0:
        non_zeros_acc2 = float("nan")
        non_zeros_f1_score = float("nan")
    else:
        non_zeros_binary_truth = (test_truth[non_zeros] > 0)
        non_zeros_binary_preds = (test_preds[non_zeros] > 0)
        non_zeros_acc2 = accuracy_score(non_zeros_binary_preds, non_zeros_binary_truth)
        non_zeros_f1_score = f1(non_zeros_binary_truth, non_zeros_binary_preds)

    binary_truth = (test_truth >= 0)
    binary_preds = (test_preds >= 0)
    acc2 = accuracy_score(binary_preds, binary_truth)
    f_score = f1(binary_truth, binary_preds)

    raw = {
        "Has0_acc_2": acc2,
        "Has0_F1_score": f_score,
        "Non0_acc_2": non_zeros_acc2,
        "Non0_F1_score": non_zeros_f1_score,
        "Mult_acc_5": mult_a5,
        "Mult_acc_7": mult_a7,
        "MAE": mae,
        "Corr": corr,
    }
    rounded = {k: round(float(v), 4) for k, v in raw.items()}
    return rounded, {k: float(v) for k, v in raw.items()}


def nan_to_none(d):
    return {k: (None if math.isnan(v) else v) for k, v in d.items()}


def cases():
    rng = np.random.default_rng(20241010)
    out = []
    for n in (7, 50, 229, 686):
        truth = np.round(rng.uniform(-3, 3, n) * 3) / 3  # MOSI-like thirds, with exact zeros
        truth[rng.integers(0, n, max(1, n // 10))] = 0.0
        preds = np.clip(truth + rng.normal(0, 0.9, n), -3.5, 3.5)
        out.append((f"random-{n}", preds, truth))
    # Predictions skewed positive: weighted F1 differs between argument orders.
    truth = rng.uniform(-3, 3, 64)
    out.append(("skewed-positive", np.abs(rng.normal(0.5, 1, 64)), truth))
    out.append(("ties-at-half", np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, -3.5, 0.0, 2.0]),
                np.array([0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 3.0, -3.0, 0.5, 1.5])))
    out.append(("all-zero-truth", np.array([0.3, -0.2, 0.0, 1.1]), np.zeros(4)))
    out.append(("single-class", np.array([0.4, 1.2, 2.0, 0.1, 2.9]), np.array([1.0, 2.0, 0.6, 0.2, 3.0])))
    out.append(("constant-predictions", np.full(6, 0.25), np.array([-1.0, 0.5, 2.0, -2.2, 0.0, 1.0])))
    # 29 of 32 right: 0.90625 is an exact binary tie at 4 decimals; Python rounds it to even, 0.9062.
    truth = np.linspace(0.1, 3.0, 32)
    preds = truth.copy()
    preds[[3, 10, 20]] = -0.4
    out.append(("tie-29-of-32", preds, truth))
    out.append(("single-clip", np.array([1.2]), np.array([-0.6])))
    out.append(("perfect", np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), np.array([-2.0, -1.0, 0.0, 1.0, 2.0])))
    out.append(("float32-values", rng.normal(0, 1.5, 40).astype(np.float32).astype(np.float64),
                np.round(rng.uniform(-3, 3, 40) * 5).astype(np.float32).astype(np.float64) / 5))
    return out


def main():
    golden = {
        "source": "MMSA src/MMSA/utils/metricsTop.py MetricsTop.__eval_mosei_regression (see script header)",
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "cases": [],
    }
    for name, preds, truth in cases():
        entry = {"name": name, "pred": preds.tolist(), "truth": truth.tolist()}
        for order in ("truth-first", "pred-first"):
            rounded, raw = eval_mosei_regression(preds.astype(np.float64), truth.astype(np.float64), order)
            entry[order] = {"rounded": nan_to_none(rounded), "raw": nan_to_none(raw)}
        golden["cases"].append(entry)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics-golden.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {path}: {len(golden['cases'])} cases")


if __name__ == "__main__":
    main()
