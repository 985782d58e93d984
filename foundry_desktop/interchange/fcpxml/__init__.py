"""FCPXML for Final Cut Pro and DaVinci Resolve: rational time, effects, writer and reader."""
