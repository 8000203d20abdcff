"""One module per ``stylegenie`` subcommand, each with ``add_parser`` and ``run``."""
