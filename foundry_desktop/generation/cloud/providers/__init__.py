"""One module per cloud service: how its API is called, on the shared task life cycle (../task.py)."""
