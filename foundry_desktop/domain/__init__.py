"""Pure project model: pydantic models and functions, no I/O, imports nothing of ours."""
