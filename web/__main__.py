"""``python -m web``: the ``consortium`` command, where no script is installed."""

from web.cli import main

main(prog_name="consortium")
