"""Checks of the installation and the demo film."""
