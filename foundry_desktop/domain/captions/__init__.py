"""Captions from speech: the words heard, grouped into readable captions, and their looks."""
