"""Generation as the app runs it: what to generate, with which backends, at what cost, and the run."""
