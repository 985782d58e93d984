"""The ranges a creator's numbers must lie in, shared by the command line, the service and the dialogs."""
