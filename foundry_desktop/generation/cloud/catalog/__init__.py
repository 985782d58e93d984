"""What the cloud providers' video models accept, as data, and the request shapes chosen from it."""
