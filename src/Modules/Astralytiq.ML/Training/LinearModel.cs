using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Astralytiq.ML.Training;

/// <summary>
/// A linear model solved in process (ADR 0041): features standardized by the training rows' mean and spread, then
/// one weight vector and bias per output. Regression: the value. Binary: the positive class's probability through the
/// logistic function. Multiclass: class probabilities through the softmax. Scoring is a dot product per output, with
/// no data view and no prediction engine.
/// </summary>
internal sealed record LinearModel(double[] Means, double[] Scales, double[][] Weights, double[] Bias)
{
    private double Raw(float[] x, int k)
    {
        var w = Weights[k];
        var sum = Bias[k];
        for (var j = 0; j < w.Length; j++)
        {
            sum += w[j] * ((x[j] - Means[j]) / Scales[j]);
        }
        return sum;
    }

    public Scores Score(TaskKind task, IReadOnlyList<float[]> rows)
    {
        switch (task)
        {
            case TaskKind.Regression:
                return new Scores(rows.Select(r => Raw(r, 0)).ToArray(), null);
            case TaskKind.Binary:
                return new Scores(null, rows.Select(r =>
                {
                    var p = Calibration.Sigmoid(Raw(r, 0));
                    return new[] { 1 - p, p };
                }).ToArray());
            default:
                return new Scores(null, rows.Select(r => LinearSolver.Softmax(Enumerable.Range(0, Weights.Length).Select(k => Raw(r, k)).ToArray())).ToArray());
        }
    }
}

/// <summary>
/// Exact solvers for the <c>linear</c> algorithm, on standardized features with the bias left unpenalized:
/// regression minimizes (1/2n)·Σ(y − ŷ)² + (l2/2)·‖w‖² + l1·‖w‖₁ (ridge by a Cholesky solve when l1 is 0, coordinate
/// descent otherwise); classification minimizes the mean log loss + (l2/2)·‖w‖² (+ l1·‖w‖₁) by L-BFGS (MathNet.Numerics),
/// or FISTA when there is an L1 penalty. Null when L-BFGS cannot converge: ML.NET's trainer fits it instead.
/// </summary>
internal static class LinearSolver
{
    public static double[] Softmax(double[] z)
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    public static LinearModel? Fit(TaskKind task, IReadOnlyDictionary<string, double> parameters, IReadOnlyList<FeatureRow> rows, int width, int classes, CancellationToken ct)
    {
        var l2 = parameters.TryGetValue("l2", out var a) ? a : 1e-2;
        var l1 = parameters.TryGetValue("l1", out var b) ? b : 0;
        var iterations = (int)(parameters.TryGetValue("iterations", out var c) ? c : 100);
        var n = rows.Count;
        var means = new double[width];
        var scales = new double[width];
        foreach (var row in rows)
        {
            for (var j = 0; j < width; j++)
            {
                means[j] += row.Features[j];
            }
        }
        for (var j = 0; j < width; j++)
        {
            means[j] /= Math.Max(1, n);
        }
        foreach (var row in rows)
        {
            for (var j = 0; j < width; j++)
            {
                var d = row.Features[j] - means[j];
                scales[j] += d * d;
            }
        }
        for (var j = 0; j < width; j++)
        {
            var sd = Math.Sqrt(scales[j] / Math.Max(1, n));
            scales[j] = sd > 1e-12 ? sd : 1;
        }
        var x = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var z = new double[width];
            for (var j = 0; j < width; j++)
            {
                z[j] = (rows[i].Features[j] - means[j]) / scales[j];
            }
            x[i] = z;
        }
        ct.ThrowIfCancellationRequested();
        return task switch
        {
            TaskKind.Regression => Regression(x, rows.Select(r => (double)r.Value).ToArray(), l2, l1, iterations, means, scales),
            TaskKind.Binary => Logistic(x, rows.Select(r => r.Flag ? 1 : 0).ToArray(), 1, l2, l1, iterations, means, scales, ct),
            _ => Logistic(x, rows.Select(r => (int)r.Class).ToArray(), Math.Max(2, classes), l2, l1, iterations, means, scales, ct),
        };
    }

    private static LinearModel Regression(double[][] x, double[] y, double l2, double l1, int iterations, double[] means, double[] scales)
    {
        var n = x.Length;
        var d = means.Length;
        var yMean = y.Average();
        var w = new double[d];
        if (d > 0 && l1 <= 0)
        {
            // (XᵀX/n + l2·I) w = Xᵀ(y − ȳ)/n; the columns are centred, so the bias is ȳ.
            var gram = Matrix<double>.Build.Dense(d, d);
            var rhs = Vector<double>.Build.Dense(d);
            for (var i = 0; i < n; i++)
            {
                var xi = x[i];
                var r = y[i] - yMean;
                for (var j = 0; j < d; j++)
                {
                    rhs[j] += xi[j] * r / n;
                    for (var k = 0; k <= j; k++)
                    {
                        gram[j, k] += xi[j] * xi[k] / n;
                    }
                }
            }
            for (var j = 0; j < d; j++)
            {
                for (var k = 0; k < j; k++)
                {
                    gram[k, j] = gram[j, k];
                }
                gram[j, j] += Math.Max(l2, 1e-10);
            }
            w = gram.Cholesky().Solve(rhs).ToArray();
        }
        else if (d > 0)
        {
            // Coordinate descent (as glmnet): each weight in turn set to its soft-thresholded least-squares value.
            var residual = y.Select(v => v - yMean).ToArray();
            var norms = new double[d];
            for (var j = 0; j < d; j++)
            {
                norms[j] = x.Sum(row => row[j] * row[j]) / n;
            }
            for (var pass = 0; pass < Math.Max(10, iterations * 10); pass++)
            {
                var change = 0.0;
                for (var j = 0; j < d; j++)
                {
                    double rho = 0;
                    for (var i = 0; i < n; i++)
                    {
                        rho += x[i][j] * (residual[i] + (x[i][j] * w[j]));
                    }
                    rho /= n;
                    var updated = Math.Sign(rho) * Math.Max(0, Math.Abs(rho) - l1) / (norms[j] + l2);
                    var delta = updated - w[j];
                    if (delta != 0)
                    {
                        for (var i = 0; i < n; i++)
                        {
                            residual[i] -= x[i][j] * delta;
                        }
                        w[j] = updated;
                        change = Math.Max(change, Math.Abs(delta));
                    }
                }
                if (change < 1e-9)
                {
                    break;
                }
            }
        }
        return new LinearModel(means, scales, [w], [yMean]);
    }

    /// <summary>Binary (one output, labels 0/1) or multinomial (<paramref name="outputs"/> classes) logistic regression.</summary>
    private static LinearModel? Logistic(double[][] x, int[] y, int outputs, double l2, double l1, int iterations, double[] means, double[] scales, CancellationToken ct)
    {
        var n = x.Length;
        var d = means.Length;
        var k = outputs;
        var size = k * (d + 1);
        (double, Vector<double>) Objective(Vector<double> theta)
        {
            ct.ThrowIfCancellationRequested();
            var p = theta.AsArray() ?? theta.ToArray();
            var gradient = new double[size];
            double loss = 0;
            var z = new double[k];
            for (var i = 0; i < n; i++)
            {
                var xi = x[i];
                for (var c = 0; c < k; c++)
                {
                    var offset = c * (d + 1);
                    var sum = p[offset + d];
                    for (var j = 0; j < d; j++)
                    {
                        sum += p[offset + j] * xi[j];
                    }
                    z[c] = sum;
                }
                if (k == 1)
                {
                    // log(1 + e^z) − y·z, stably; its derivative σ(z) − y.
                    var zi = z[0];
                    loss += (zi > 0 ? zi + Math.Log(1 + Math.Exp(-zi)) : Math.Log(1 + Math.Exp(zi))) - (y[i] * zi);
                    var g = Calibration.Sigmoid(zi) - y[i];
                    for (var j = 0; j < d; j++)
                    {
                        gradient[j] += g * xi[j];
                    }
                    gradient[d] += g;
                }
                else
                {
                    var max = z.Max();
                    double total = 0;
                    for (var c = 0; c < k; c++)
                    {
                        total += Math.Exp(z[c] - max);
                    }
                    var logTotal = max + Math.Log(total);
                    loss += logTotal - z[y[i]];
                    for (var c = 0; c < k; c++)
                    {
                        var g = Math.Exp(z[c] - logTotal) - (c == y[i] ? 1 : 0);
                        var offset = c * (d + 1);
                        for (var j = 0; j < d; j++)
                        {
                            gradient[offset + j] += g * xi[j];
                        }
                        gradient[offset + d] += g;
                    }
                }
            }
            loss /= n;
            for (var i = 0; i < size; i++)
            {
                gradient[i] /= n;
            }
            for (var c = 0; c < k; c++)
            {
                var offset = c * (d + 1);
                for (var j = 0; j < d; j++)
                {
                    loss += 0.5 * l2 * p[offset + j] * p[offset + j];
                    gradient[offset + j] += l2 * p[offset + j];
                }
            }
            return (loss, Vector<double>.Build.DenseOfArray(gradient));
        }
        var start = Vector<double>.Build.Dense(size);
        Vector<double> solution;
        if (l1 > 0)
        {
            return Split(Proximal(Objective, size, d, k, l1, Math.Max(100, iterations * 5)), d, k, means, scales);
        }
        try
        {
            solution = new LimitedMemoryBfgsMinimizer(1e-6, 1e-10, 1e-10, 10, Math.Max(50, iterations * 2))
                .FindMinimum(ObjectiveFunction.Gradient(Objective), start).MinimizingPoint;
        }
        catch (Exception e) when (e is MaximumIterationsException or OptimizationException)
        {
            // The line search could not meet the tight stop (a separable set, say): again with a looser one, and when that
            // fails too, ML.NET's trainer fits it instead (null).
            try
            {
                solution = new LimitedMemoryBfgsMinimizer(1e-4, 1e-6, 1e-6, 10, Math.Max(50, iterations * 2))
                    .FindMinimum(ObjectiveFunction.Gradient(Objective), start).MinimizingPoint;
            }
            catch (Exception again) when (again is MaximumIterationsException or OptimizationException)
            {
                return null;
            }
        }
        return Split(solution, d, k, means, scales);
    }

    private static LinearModel Split(Vector<double> solution, int d, int k, double[] means, double[] scales)
    {
        var weights = new double[k][];
        var bias = new double[k];
        for (var c = 0; c < k; c++)
        {
            weights[c] = Enumerable.Range(0, d).Select(j => solution[(c * (d + 1)) + j]).ToArray();
            bias[c] = solution[(c * (d + 1)) + d];
        }
        return new LinearModel(means, scales, weights, bias);
    }

    /// <summary>
    /// FISTA (accelerated proximal gradient with backtracking) for the smooth objective plus l1·‖w‖₁: a gradient step, then
    /// each weight (not the biases) soft-thresholded; stops when a step moves no parameter by more than 1e-7.
    /// </summary>
    private static Vector<double> Proximal(Func<Vector<double>, (double, Vector<double>)> smooth, int size, int d, int k, double l1, int maxIterations)
    {
        var theta = Vector<double>.Build.Dense(size);
        var momentum = theta.Clone();
        var t = 1.0;
        var step = 1.0;
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var (value, gradient) = smooth(momentum);
            Vector<double> next;
            while (true)
            {
                next = momentum - (step * gradient);
                for (var c = 0; c < k; c++)
                {
                    for (var j = 0; j < d; j++)
                    {
                        var i = (c * (d + 1)) + j;
                        next[i] = Math.Sign(next[i]) * Math.Max(0, Math.Abs(next[i]) - (step * l1));
                    }
                }
                var diff = next - momentum;
                var bound = value + gradient.DotProduct(diff) + (diff.DotProduct(diff) / (2 * step));
                if (smooth(next).Item1 <= bound + 1e-12 || step < 1e-12)
                {
                    break;
                }
                step /= 2;
            }
            var tNext = (1 + Math.Sqrt(1 + (4 * t * t))) / 2;
            var moved = (next - theta).AbsoluteMaximum();
            momentum = next + ((t - 1) / tNext * (next - theta));
            theta = next;
            t = tNext;
            if (moved < 1e-7)
            {
                break;
            }
        }
        return theta;
    }
}
