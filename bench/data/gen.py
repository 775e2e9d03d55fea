#!/usr/bin/env python3
"""Writes a CSV of N rows with 8 mixed columns (int, timestamp, category, decimal, int, bool, text, double)."""
import random, sys
rows = int(sys.argv[1]); out = sys.argv[2]
random.seed(42)
cats = [f"category-{i:02d}" for i in range(20)]
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
with open(out, "w", buffering=1 << 20) as f:
    f.write("id,at,category,amount,quantity,active,note,score\n")
    w = f.write
    for i in range(rows):
        w(f"{i},2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d},{cats[i % 20]},"
          f"{(i % 100000) / 100:.2f},{i % 97},{'true' if i % 3 else 'false'},{words[i % 8]} {words[(i // 8) % 8]},{random.random():.6f}\n")
