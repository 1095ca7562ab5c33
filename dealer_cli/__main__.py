"""``python -m dealer_cli``: the ``dealer`` command without its console script."""
from dealer_cli.cli import main

main()
