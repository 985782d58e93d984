"""Generators that need no network: title cards, Ken Burns motion over a still, the creator's own media."""
