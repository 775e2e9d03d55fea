using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Astralytiq.Data.Contracts;
using Astralytiq.ML.Forecasting;
using Astralytiq.ML.Training;

// Usage:
//   MlBench tabular DIR NAME TASK        train/test CSVs written by sklearn_bench.py; prints JSON lines
//   MlBench forecast DIR NAME H M        a series CSV written by r_forecast.R; the last H points held out
//   MlBench batch                        in-process batch scoring throughput
var mode = args[0];
var invariant = CultureInfo.InvariantCulture;
switch (mode)
{
    case "tabular":
    {
        var (dir, name, task) = (args[1], args[2], args[3]);
        var train = ReadCsv(Path.Combine(dir, $"{name}.train.csv"));
        var test = ReadCsv(Path.Combine(dir, $"{name}.test.csv"));
        var table = Concat(train, test);
        var testRows = Enumerable.Range(train.RowCount, test.RowCount).ToHashSet();
        var features = table.Columns.Select(c => c.Name).Where(c => c != "target").ToList();
        var kind = TrainingJob.TaskOf(task);
        var metric = ModelTrainer.PrimaryMetric(kind);
        // Named algorithms, defaults, one fit on the training rows (the counterpart of sklearn's fit), scored on the test rows.
        foreach (var algorithm in Learner.Algorithms)
        {
            var plan = new TrainingPlan(kind, "target", features, algorithm, Learner.Defaults(algorithm), 1, TimeSpan.FromHours(1), 2, 0.25, 0, testRows);
            var (rows, labels, classes) = ModelTrainer.Labels(table, plan);
            var trainIdx = rows.Where(r => !testRows.Contains(r)).ToList();
            var watch = Stopwatch.StartNew();
            var featurizer = Featurizer.Fit(table, features, trainIdx);
            var fitRows = trainIdx.Select(r => Row(featurizer.Encode(table, r), labels[r])).ToList();
            var fitted = Learner.Fit(kind, algorithm, Learner.Defaults(algorithm), 0, fitRows, featurizer.Width, Math.Max(2, classes.Count), CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;
            var testIdx = rows.Where(testRows.Contains).ToList();
            var scores = Learner.Score(fitted, kind, testIdx.Select(r => Row(featurizer.Encode(table, r), labels[r])).ToList(), featurizer.Width, Math.Max(2, classes.Count));
            var value = ModelTrainer.Primary(kind, testIdx.Select(r => labels[r]).ToArray(), scores).Value;
            Print(new { side = "astralytiq", dataset = name, task, algorithm, metric, value, seconds });
        }
        // auto: the platform's search as a user runs it by default (24 trials at most, validation sized to the data, the
        // search's own stop rules), then refit, calibration, importance and the test rows. Run twice in this process: the
        // first pays the JIT a fresh server pays once; the second is what every later training on a running server costs.
        var trials = int.Parse(Environment.GetEnvironmentVariable("AUTO_TRIALS") ?? "24", invariant);
        var budget = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("AUTO_BUDGET") ?? "3600", invariant));
        var autoPlan = new TrainingPlan(kind, "target", features, "auto", null, trials, budget, 5, 0.25, 42, testRows, AutoValidation: true);
        var coldWatch = Stopwatch.StartNew();
        ModelTrainer.Train(table, autoPlan, (_, _, _) => Task.CompletedTask, TimeProvider.System, CancellationToken.None);
        var cold = coldWatch.Elapsed.TotalSeconds;
        var autoWatch = Stopwatch.StartNew();
        var result = ModelTrainer.Train(table, autoPlan, (_, _, _) => Task.CompletedTask, TimeProvider.System, CancellationToken.None);
        Print(new
        {
            side = "astralytiq", dataset = name, task, algorithm = "auto", chosen = result.Bundle.Algorithm, metric, value = result.Metrics.PrimaryValue,
            seconds = autoWatch.Elapsed.TotalSeconds, cold_seconds = cold, log_loss = result.Metrics.LogLoss, calibration = result.Metrics.Calibration?.Method,
            trials = result.Metrics.Search?.Trials, stopped_early = result.Metrics.Search?.StoppedEarly, ended = result.Metrics.Search?.Ended,
        });
        if (Environment.GetEnvironmentVariable("DEBUG_AUTO") is not null)
        {
            foreach (var entry in result.Leaderboard.OrderBy(e => e.Trial))
            {
                Console.Error.WriteLine($"{entry.Trial,3} {entry.Algorithm,-12} {entry.Mean,10:0.0000} {entry.Seconds,7:0.000}s {entry.Error} {string.Join(",", entry.Parameters.Select(p => p.Key + "=" + p.Value.ToString("G3", invariant)))}");
            }
        }
        break;
    }
    case "series":
    {
        // Many series: N monthly series of 60 points (trend, season, noise; seeded), one model each, auto; series a second.
        var count = int.Parse(args[1], invariant);
        var random = new Random(11);
        var times = new List<DateTime?>();
        var keys = new List<string?>();
        var values = new List<double>();
        for (var k = 0; k < count; k++)
        {
            var (level, slope, amplitude) = (50 + (random.NextDouble() * 100), random.NextDouble() * 2 - 0.5, 5 + (random.NextDouble() * 20));
            for (var t = 0; t < 60; t++)
            {
                times.Add(new DateTime(2020, 1, 1).AddMonths(t));
                keys.Add($"s{k}");
                values.Add(level + (slope * t) + (amplitude * Math.Sin(2 * Math.PI * t / 12)) + (random.NextDouble() * 5));
            }
        }
        var table = new DatasetTable(Guid.Empty, "many", 1, values.Count, false,
            [new TableColumn("time", "date", null, [.. times], null), new TableColumn("key", "string", null, null, [.. keys]), new TableColumn("value", "decimal", [.. values], null, null)]);
        var spec = new TrainingSpec("forecasting", "value", [], Environment.GetEnvironmentVariable("FORECAST_METHOD") ?? "auto", null, 3600, 1, 3, 0.2, 42, "time", "key", 12, 12);
        var watch = Stopwatch.StartNew();
        var result = Forecaster.Train(table, spec, (_, _, _) => Task.CompletedTask, CancellationToken.None);
        Print(new { side = "astralytiq", series = count, method = result.Model.Method, seconds = watch.Elapsed.TotalSeconds, series_per_second = count / watch.Elapsed.TotalSeconds, mase = result.Metrics.Mase });
        break;
    }
    case "fits":
    {
        // Warm single fits of each algorithm's defaults on a dataset's training rows (where a trial's time goes).
        var (dir, name, task) = (args[1], args[2], args[3]);
        var train = ReadCsv(Path.Combine(dir, $"{name}.train.csv"));
        var features = train.Columns.Select(c => c.Name).Where(c => c != "target").ToList();
        var kind = TrainingJob.TaskOf(task);
        foreach (var algorithm in Learner.Algorithms)
        {
            var plan = new TrainingPlan(kind, "target", features, algorithm, Learner.Defaults(algorithm), 1, TimeSpan.FromHours(1), 2, 0.25, 0);
            var (rows, labels, classes) = ModelTrainer.Labels(train, plan);
            var featurizer = Featurizer.Fit(train, features, rows);
            var fitRows = rows.Select(r => Row(featurizer.Encode(train, r), labels[r])).ToList();
            var times = new List<double>();
            for (var i = 0; i < 6; i++)
            {
                var watch = Stopwatch.StartNew();
                Learner.Fit(kind, algorithm, Learner.Defaults(algorithm), 0, fitRows, featurizer.Width, Math.Max(2, classes.Count), CancellationToken.None);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"{name} {algorithm}: first {times[0]:0} ms, then {string.Join(", ", times.Skip(1).Select(t => t.ToString("0", invariant)))} ms");
        }
        break;
    }
    case "forecast":
    {
        var (dir, name, h, m) = (args[1], args[2], int.Parse(args[3], invariant), int.Parse(args[4], invariant));
        var lines = File.ReadAllLines(Path.Combine(dir, $"{name}.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var times = lines.Select(l => (DateTime?)DateTime.Parse(l[0], invariant, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)).ToArray();
        var values = lines.Select(l => double.Parse(l[1], invariant)).ToArray();
        var n = values.Length;
        var train = new DatasetTable(Guid.Empty, name, 1, n - h, false,
            [new TableColumn("time", "date", null, times[..(n - h)], null), new TableColumn("value", "decimal", values[..(n - h)], null, null)]);
        var spec = new TrainingSpec("forecasting", "value", [], Environment.GetEnvironmentVariable("FORECAST_METHOD") ?? "auto", null, 3600, 1, 3, 0.2, 42, "time", null, h, m);
        var watch = Stopwatch.StartNew();
        var result = Forecaster.Train(train, spec, (_, _, _) => Task.CompletedTask, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;
        var (forecast, scale) = Forecaster.Predict(result.Model.Series[0], result.Model.SeasonLength, h);
        var actual = values[(n - h)..];
        var mase = Metrics.Mase(actual, forecast, values.AsSpan(0, n - h), m);
        var coverage = actual.Select((a, i) => Math.Abs(a - forecast[i]) <= ForecastModel.Z90 * scale[i] ? 1.0 : 0).Average();
        Print(new { side = "astralytiq", series = name, method = result.Model.Series[0].Method, h, m, mase, coverage, seconds });
        if (Environment.GetEnvironmentVariable("DEBUG_ETS") is not null)
        {
            var ets = result.Model.Series[0].Ets;
            Console.Error.WriteLine(ets is null ? "naive" : $"a={ets.Alpha:G3} b={ets.Beta:G3} g={ets.Gamma:G3} phi={ets.Phi:G3} sse={ets.Sse:G4} level={ets.Level:G5} slope={ets.Slope:G3}");
            foreach (var variant in new[] { (false, false, 'A'), (true, false, 'A'), (true, true, 'A'), (false, false, 'M'), (true, false, 'M'), (true, true, 'M'), (false, false, 'N'), (true, true, 'N') })
            {
                var fit = Ets.Fit(values[..(n - h)], variant.Item1, variant.Item2, variant.Item3, m);
                var fc = fit.Forecast(h);
                Console.Error.WriteLine($"{fit.Name}: aicc={fit.Aicc:G5} sse={fit.Sse:G5} a={fit.Alpha:G3} b={fit.Beta:G3} g={fit.Gamma:G3} mase={Metrics.Mase(actual, fc, values.AsSpan(0, n - h), m):G3}");
            }
        }
        break;
    }
    case "batch":
    {
        // A LightGBM regressor on 20 numeric features; scoring 200,000 rows in process, in batches of 10,000.
        var random = new Random(1);
        const int rows = 20_000, width = 20;
        var columns = Enumerable.Range(0, width).Select(i => new TableColumn($"f{i}", "decimal", Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray(), null, null)).ToList();
        var target = Enumerable.Range(0, rows).Select(r => columns.Take(5).Sum(c => c.Numbers![r]) + (random.NextDouble() * 0.1)).ToArray();
        var table = new DatasetTable(Guid.Empty, "batch", 1, rows, false, [.. columns, new TableColumn("target", "decimal", target, null, null)]);
        var plan = new TrainingPlan(TaskKind.Regression, "target", columns.Select(c => c.Name).ToList(), "lightgbm", Learner.Defaults("lightgbm"), 1, TimeSpan.FromHours(1), 2, 0.2, 1);
        var result = ModelTrainer.Train(table, plan, (_, _, _) => Task.CompletedTask, TimeProvider.System, CancellationToken.None);
        var encoded = Enumerable.Range(0, 10_000).Select(r => result.Bundle.Featurizer.Encode(table, r % rows)).ToList();
        result.Bundle.Score(encoded);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            result.Bundle.Score(encoded);
        }
        var rowsPerSecond = 200_000 / watch.Elapsed.TotalSeconds;
        var one = new List<float[]> { encoded[0] };
        for (var i = 0; i < 200; i++)
        {
            result.Bundle.Score(one);
        }
        var single = Stopwatch.StartNew();
        for (var i = 0; i < 2000; i++)
        {
            result.Bundle.Score(one);
        }
        Print(new { side = "astralytiq", batch_rows_per_second = rowsPerSecond, single_row_microseconds = single.Elapsed.TotalMicroseconds / 2000 });
        break;
    }
}

static void Print(object o) => Console.WriteLine(JsonSerializer.Serialize(o));

static FeatureRow Row(float[] features, double label) => new() { Features = features, Value = (float)label, Flag = label > 0.5, Class = (uint)label };

static DatasetTable ReadCsv(string path)
{
    var lines = File.ReadAllLines(path);
    var header = lines[0].Split(',');
    var cells = lines.Skip(1).Select(l => l.Split(',')).ToList();
    var columns = header.Select((name, i) =>
    {
        var numeric = cells.All(c => double.TryParse(c[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return numeric
            ? new TableColumn(name, "decimal", cells.Select(c => double.Parse(c[i], CultureInfo.InvariantCulture)).ToArray(), null, null)
            : new TableColumn(name, "string", null, null, cells.Select(c => (string?)c[i]).ToArray());
    }).ToList();
    return new DatasetTable(Guid.Empty, Path.GetFileName(path), 1, cells.Count, false, columns);
}

static DatasetTable Concat(DatasetTable a, DatasetTable b) => a with
{
    TotalRows = a.RowCount + b.RowCount,
    Columns = a.Columns.Select((c, i) => c with
    {
        Numbers = c.Numbers is null ? null : [.. c.Numbers, .. b.Columns[i].Numbers!],
        Texts = c.Texts is null ? null : [.. c.Texts, .. b.Columns[i].Texts!],
    }).ToList(),
};
