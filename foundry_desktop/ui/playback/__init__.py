"""Playing the cut in the preview: frames from the takes at the film's rate, slates where a
shot has no usable take, the film's sound where the machine has an output."""
