"""The timeline: its panel, the painted canvas and the geometry of frames to pixels."""
