"""Edits that put things on the timeline: media shots, input images, music, scene plans, take previews;
and what a creator should know about a take (take_fit, ignored_inputs)."""
