"""CMX 3600 edit decision lists: names and reels, writer and reader."""
