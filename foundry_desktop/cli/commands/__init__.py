"""What each command does, one module per area; imported only after parsing (cli/parser.py)."""
