"""The inspector: the fields of what is selected on the timeline."""
