"""The machine's settings dialog and its tabs."""
