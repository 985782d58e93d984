"""Edits that put things on the timeline: media shots, input images, music, scene plans, take previews."""
