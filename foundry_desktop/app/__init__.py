"""The application service shared by the GUI and the CLI."""
