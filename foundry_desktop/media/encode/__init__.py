"""Encoding: codec families and settings, the encoder survey, the video writer."""
