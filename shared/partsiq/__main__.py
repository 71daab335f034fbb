"""``python -m partsiq`` runs the CLI."""

from partsiq.cli import main

main()
