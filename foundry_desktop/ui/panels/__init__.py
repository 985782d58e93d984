"""The dockable panels around the timeline: inspector, takes, jobs, preview."""
