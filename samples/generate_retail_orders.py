#!/usr/bin/env python3
"""Generates samples/retail-orders.csv: the sample dataset a new organisation can add from its first page.

Two years of orders of an invented office-supplies retailer, deterministic (a fixed seed), with what a first look
at the platform should find: a trend and a season to forecast (more orders each month, a December peak, quiet
weekends), categories and regions to chart, a yes/no outcome to predict (returned, likelier with big discounts,
late deliveries and some products), and a few blanks for the quality check. Run it again to get the same file:

    python3 samples/generate_retail_orders.py > src/Modules/Astralytiq.Data/Datasets/Samples/retail-orders.csv
"""
import csv
import datetime
import math
import random
import sys

rng = random.Random(20261206)
regions = {
    "North": ["Leeds", "York", "Newcastle"],
    "South": ["Brighton", "Southampton", "Portsmouth"],
    "East": ["Norwich", "Cambridge", "Ipswich"],
    "West": ["Bristol", "Exeter", "Plymouth"],
}
region_weight = {"North": 1.0, "South": 1.3, "East": 0.8, "West": 0.9}
products = [
    ("Furniture", "Desk chair", 149.0, 0.09), ("Furniture", "Standing desk", 389.0, 0.11), ("Furniture", "Bookcase", 119.0, 0.06),
    ("Office supplies", "Paper (5 reams)", 24.5, 0.02), ("Office supplies", "Gel pens (12)", 8.9, 0.01), ("Office supplies", "Binders (10)", 15.75, 0.02),
    ("Office supplies", "Sticky notes", 6.4, 0.01), ("Technology", "Monitor 27\"", 229.0, 0.08), ("Technology", "Wireless keyboard", 49.99, 0.05),
    ("Technology", "Laser printer", 179.0, 0.12), ("Technology", "Headset", 64.0, 0.07),
]
segments = [("Consumer", 0.5), ("Corporate", 0.3), ("Small business", 0.2)]

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["order_id", "order_date", "region", "store", "category", "product", "customer_segment", "units", "unit_price",
              "discount", "amount", "delivery_days", "returned"])
start = datetime.date(2024, 1, 1)
number = 0
for day in range(731):
    date = start + datetime.timedelta(days=day)
    trend = 1 + day / 731 * 0.6
    season = 1 + 0.35 * math.cos((date.timetuple().tm_yday - 345) / 365 * 2 * math.pi)
    weekday = 0.45 if date.weekday() >= 5 else 1.0
    expected = 4.2 * trend * season * weekday
    # A Poisson count of orders for the day.
    count, limit, p = 0, math.exp(-expected), rng.random()
    while p > limit:
        count += 1
        p *= rng.random()
    for _ in range(count):
        number += 1
        region = rng.choices(list(regions), weights=[region_weight[r] for r in regions])[0]
        store = rng.choice(regions[region])
        category, product, price, base_return = rng.choice(products)
        segment = rng.choices([s for s, _ in segments], weights=[w for _, w in segments])[0]
        units = max(1, int(rng.expovariate(1 / (6 if segment != "Consumer" else 2.5))) + 1)
        units = min(units, 40)
        discount = rng.choices([0.0, 0.05, 0.1, 0.2, 0.3], weights=[55, 15, 15, 10, 5])[0]
        amount = round(units * price * (1 - discount), 2)
        delivery = max(1, int(rng.gauss(3 if region != "West" else 4, 1.4)))
        # Returns follow discounts, late deliveries, some products and consumers: a model finds them (ROC AUC about 0.8).
        odds = base_return * 1.5 + discount * 1.4 + (0.3 if delivery >= 6 else 0) + (0.06 if segment == "Consumer" else 0) - (0.04 if units >= 10 else 0)
        returned = "yes" if rng.random() < odds else "no"
        shown_delivery = "" if rng.random() < 0.012 else str(delivery)
        out.writerow([f"SO-{number:05d}", date.isoformat(), region, store, category, product, segment, units, f"{price:.2f}",
                      f"{discount:.2f}", f"{amount:.2f}", shown_delivery, returned])
