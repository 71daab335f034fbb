"""Write the labelled search queries (``python -m bench.search.labels``): ``queries.json``.

Labels derive from catalog attributes only, never from an agent's output, and were written
before any ranking was tuned. From the sample catalog (a prefix of the benchmark's larger one):

- part-number variants of 30 parts each: as written, lower case without dashes, a space for
  the dash, a vendor prefix, one typo (the last character changed): relevant = that part;
- 20 superseded numbers: relevant = the part and every later part of its chain;
- 40 descriptions "<name> for <make> <model>": relevant (grade 2) = parts with that name fitting
  that model, (grade 1) = parts with that name; resolved on the benchmark's database.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SAMPLE = HERE.parents[1] / "samples" / "catalog" / "parts.csv"


def main() -> None:
    """Draw the queries from the sample catalog and write them with their labels."""
    r = random.Random(7)
    with SAMPLE.open() as f:
        rows = [row for row in csv.DictReader(f) if row["name"] and not row["part_number"].startswith("BAD-")]
    by_key = {f"{row['manufacturer']}:{row['part_number']}": row for row in rows}
    queries: list[dict[str, object]] = []
    for row in r.sample([row for row in rows if not row["superseded_by"]], 30):
        number, maker = row["part_number"], row["manufacturer"]
        target = {"manufacturer": maker, "partNumber": number}
        typo = number[:-1] + ("7" if number[-1] != "7" else "3")
        for kind, text in (
            ("as written", number),
            ("lower, no dash", number.lower().replace("-", "")),
            ("space for dash", number.replace("-", " ") if "-" in number else number[:2] + " " + number[2:]),
            ("vendor prefix", f"{maker} {number}"),
            ("one typo", typo),
        ):
            queries.append({"kind": f"part number: {kind}", "query": text, "relevant": [target]})
    for row in r.sample([row for row in rows if row["superseded_by"]], 20):
        chain = [row]
        while chain[-1]["superseded_by"]:
            chain.append(by_key[chain[-1]["superseded_by"]])
        queries.append({
            "kind": "obsolete part number",
            "query": row["part_number"],
            "relevant": [{"manufacturer": c["manufacturer"], "partNumber": c["part_number"]} for c in chain],
        })  # fmt: skip
    oem = [row for row in rows if row["fits"]]
    for row in r.sample(oem, 40):
        make_model = r.choice(row["fits"].split(";"))
        make, model = make_model.split(" ", 1)
        name = row["name"].split(",")[0].lower()
        queries.append({
            "kind": "description",
            "query": f"{name} for {make_model}",
            "describes": {"name": row["name"], "make": make, "model": model},
        })  # fmt: skip
    (HERE / "queries.json").write_text(json.dumps(queries, indent=1) + "\n")
    print(f"wrote {len(queries)} labelled queries to {HERE / 'queries.json'}")


if __name__ == "__main__":
    main()
