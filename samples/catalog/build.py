"""Write ``parts.csv``, the sample catalog (``python samples/catalog/build.py``; deterministic).

About 3,000 parts in the part-number formats of real manufacturers (Caterpillar ``1R-0750`` and
``326-1644``, John Deere ``RE504836``, Komatsu ``600-211-1340``, Volvo ``21707133``,
Donaldson ``P551808``, Fleetguard ``LF9009``, Baldwin ``BF7633``, Parker, Bobcat), with
supersession chains (an obsolete number, its replacement, sometimes a third), cross-brand
alternates, assemblies with their components, and fitment to equipment models. The last two
rows are deliberately bad (a missing name, a price without currency), so an import shows how
refused rows are reported.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261204

EQUIPMENT = {
    "CAT": ["320D", "320 GC", "336", "D6T", "D8T", "950M", "966M", "140M", "420F", "745"],
    "Deere": ["310SL", "624K", "850K", "350G", "700K"],
    "Komatsu": ["PC200-8", "PC360LC-11", "WA380-8", "D65PX-18"],
    "Volvo": ["EC220E", "L120H", "A40G"],
    "Bobcat": ["S650", "T770", "E35"],
}
# category, name templates, price range, which equipment makes they fit
CATEGORIES = [
    ("Filters/Engine Oil", ["Engine oil filter", "Lube filter, spin-on", "Oil filter element"], (12, 60)),
    ("Filters/Fuel", ["Fuel filter", "Fuel water separator", "Secondary fuel filter"], (15, 80)),
    ("Filters/Air", ["Air filter, primary", "Air filter, secondary", "Cabin air filter"], (20, 180)),
    ("Filters/Hydraulic", ["Hydraulic filter", "Hydraulic return filter", "Pilot filter"], (25, 220)),
    (
        "Undercarriage/Rollers",
        ["Track roller, single flange", "Track roller, double flange", "Carrier roller"],
        (180, 900),
    ),
    ("Undercarriage/Idlers", ["Front idler assembly", "Idler, complete"], (900, 3200)),
    ("Undercarriage/Track", ["Track shoe, 600 mm", "Track bolt", "Track nut", "Track link assembly"], (2, 4500)),
    ("Hydraulics/Pumps", ["Main hydraulic pump", "Gear pump", "Pilot pump", "Axial piston pump"], (900, 9500)),
    ("Hydraulics/Seals", ["Seal kit, boom cylinder", "Seal kit, stick cylinder", "O-ring kit", "Shaft seal"], (8, 320)),
    ("Hydraulics/Cylinders", ["Boom cylinder", "Bucket cylinder", "Track adjuster cylinder"], (1200, 6800)),
    ("Engine/Gaskets", ["Cylinder head gasket", "Upper gasket set", "Oil pan gasket", "Valve cover gasket"], (10, 450)),
    ("Engine/Fuel System", ["Fuel injector", "Injector sleeve", "Fuel transfer pump", "Injection pump"], (30, 2600)),
    ("Electrical", ["Alternator, 24V", "Starter motor, 24V", "Glow plug", "Pressure sensor"], (25, 1400)),
    ("Ground Engaging Tools", ["Bucket tooth", "Tooth adapter", "Cutting edge", "Retainer pin"], (6, 650)),
]
OEM = ["CAT", "Deere", "Komatsu", "Volvo", "Bobcat"]
AFTERMARKET = {
    "Donaldson": lambda r: f"P{r.randint(500000, 559999)}",
    "Fleetguard": lambda r: r.choice(["LF", "FS", "FF", "AF", "HF"]) + str(r.randint(1000, 9999)),
    "Baldwin": lambda r: r.choice(["B", "BF", "PA", "PT"]) + str(r.randint(100, 9999)),
}


def oem_number(make: str, r: random.Random) -> str:
    """A part number in ``make``'s format."""
    if make == "CAT":
        return r.choice(
            [
                lambda: f"{r.randint(1, 9)}{r.choice('RWXYPT')}-{r.randint(0, 9999):04d}",
                lambda: f"{r.randint(100, 599)}-{r.randint(0, 9999):04d}",
            ]
        )()
    if make == "Deere":
        return f"{r.choice(['RE', 'AT', 'AH', 'T'])}{r.randint(10000, 599999)}"
    if make == "Komatsu":
        return r.choice(
            [
                lambda: f"{r.randint(600, 708)}-{r.randint(100, 999)}-{r.randint(1000, 9999)}",
                lambda: f"{r.randint(20, 21)}{r.choice('YTK')}-{r.randint(10, 99)}-{r.randint(10000, 99999)}",
            ]
        )()
    if make == "Volvo":
        return str(r.randint(11000000, 22999999))
    return str(r.randint(6600000, 7399999))  # Bobcat


def generate(base_parts: int = 2400) -> list[dict[str, str]]:
    """The catalog rows: ``base_parts`` OEM parts plus their alternates, replacements and components.

    The same seed draws the same sequence, so a larger catalog starts with the smaller one's parts
    (the search benchmark's 100k catalog contains the sample's).
    """
    r = random.Random(SEED)
    rows: list[dict[str, str]] = []
    used: set[tuple[str, str]] = set()

    def new_row(make: str, number: str, category: str, name: str, price_range: tuple[int, int]) -> dict[str, str]:
        low, high = price_range
        row = {
            "part_number": number,
            "manufacturer": make,
            "name": name,
            "description": "",
            "category": category,
            "price": f"{r.uniform(low, high):.2f}",
            "currency": "USD",
            "stock": str(r.choice([0, 0, 1, 2, 4, 6, 10, 24, 50])),
            "lead_time_days": str(r.choice([1, 2, 3, 5, 7, 14, 21])),
            "attributes": "",
            "superseded_by": "",
            "superseded_since": "",
            "alternates": "",
            "component_of": "",
            "component_qty": "",
            "fits": "",
        }
        used.add((make, number))
        rows.append(row)
        return row

    def fresh(make: str, maker: object) -> str:
        while True:
            number = maker(r) if callable(maker) else oem_number(make, r)
            if (make, number) not in used:
                return number

    for _ in range(base_parts):
        make = r.choice(OEM)
        category, names, price_range = r.choice(CATEGORIES)
        name = r.choice(names)
        models = r.sample(EQUIPMENT[make], k=min(len(EQUIPMENT[make]), r.randint(1, 3)))
        row = new_row(make, fresh(make, None), category, name, price_range)
        row["fits"] = ";".join(f"{make} {m}" for m in models)
        row["description"] = f"{name} for {make} {', '.join(models)}. Genuine {make} part."
        if category.startswith("Filters"):
            micron = r.choice([4, 10, 12, 25, 30])
            row["attributes"] = f"micron={micron};thread={r.choice(['M16x1.5', '1-14 UN', 'M20x1.5', '3/4-16 UNF'])}"
            row["description"] += f" {micron} micron."
            if r.random() < 0.45:  # a cross-brand alternate
                brand, maker = r.choice(list(AFTERMARKET.items()))
                alt = new_row(brand, fresh(brand, maker), category, f"{name} ({brand})", price_range)
                alt["description"] = f"{brand} replacement for {make} {row['part_number']}. {micron} micron."
                alt["attributes"] = row["attributes"]
                alt["alternates"] = f"{make}:{row['part_number']}"
        if r.random() < 0.12:  # the number was superseded, once or twice
            newer = new_row(make, fresh(make, None), category, name, price_range)
            newer["fits"] = row["fits"]
            newer["description"] = f"{name}, improved design. Replaces {row['part_number']}."
            row["superseded_by"] = f"{make}:{newer['part_number']}"
            row["superseded_since"] = (date(2015, 1, 1) + timedelta(days=r.randint(0, 3000))).isoformat()
            row["stock"] = "0"
            if r.random() < 0.3:
                newest = new_row(make, fresh(make, None), category, name, price_range)
                newest["fits"] = row["fits"]
                newest["description"] = f"{name}, current version. Replaces {newer['part_number']}."
                newer["superseded_by"] = f"{make}:{newest['part_number']}"
                newer["superseded_since"] = (date(2021, 1, 1) + timedelta(days=r.randint(0, 1400))).isoformat()
        if category in ("Hydraulics/Pumps", "Hydraulics/Cylinders", "Undercarriage/Idlers") and r.random() < 0.5:
            for component in ("Seal kit", "O-ring", "Bearing", "Bolt"):
                part = new_row(make, fresh(make, None), "Hydraulics/Seals" if component != "Bolt" else "Hardware",
                               f"{component} for {name.lower()}", (3, 250))  # fmt: skip
                part["component_of"] = f"{make}:{row['part_number']}"
                part["component_qty"] = str(r.choice([1, 1, 2, 4, 8]))
                part["description"] = f"{component}, component of {make} {row['part_number']} {name.lower()}."
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    """Write ``rows`` as the catalog CSV."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """The sample catalog, with its two deliberately bad rows."""
    rows = generate()
    rows.append({**rows[0], "part_number": "BAD-0001", "name": "", "alternates": "", "superseded_by": ""})
    rows.append({**rows[1], "part_number": "BAD-0002", "currency": "", "alternates": "", "superseded_by": ""})
    write(rows, HERE / "parts.csv")
    print(f"wrote {len(rows)} rows to {HERE / 'parts.csv'}")


if __name__ == "__main__":
    main()
