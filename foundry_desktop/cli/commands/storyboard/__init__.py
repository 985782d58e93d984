"""Commands of the storyboard stage: scenes, keyframe stills, generated music, the board for review, the film flow."""
