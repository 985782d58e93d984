"""The storyboard: the film as scene rows of shot cards, their keyframe variants to approve, the two
stages sent from it, and the contact sheet exported for review."""
