"""Playing the cut in the window: which take frame (or slate) each film frame shows, decoded
small and ahead of the picture, without the Qt the player around it uses."""
