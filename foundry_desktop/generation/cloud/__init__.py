"""Cloud video and image services: a shared HTTP and task core, and one module per provider."""
