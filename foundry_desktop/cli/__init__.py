"""The `foundry` command line: every job without a screen."""
