"""Rendering the film: the cut turned into a recipe, output presets, the render's own process."""
