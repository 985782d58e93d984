"""The Final Cut effects Foundry's FCPXML names, and why these.

Final Cut identifies built-in effects by uid; Resolve maps the same uids to its
own transitions and text. Each one here appears in files Final Cut or Resolve
wrote themselves (see the samples in tests/data/interchange), not in third-party generators only.

* Cross Dissolve: Foundry's dissolves, and the fades from black at the film's
  start and to black at its end. Final Cut writes a fade from black as a Cross
  Dissolve at the very start of the storyline, lying within the first clip
  (nothing is beneath it, so it dissolves from black); likewise at the end.
* Fade To Color: Foundry's "fade through black" between two shots. It dips to
  black unless told otherwise. For "fade through white" Foundry adds a Color
  parameter of "1 1 1 1": white whether it is read as RGB or RGBA. (The exact
  encoding Final Cut uses for that parameter is not documented; an editor that
  ignores it dips to black, which is still a dip.)
* Audio Crossfade: Final Cut pairs it with every video transition it writes.
* Basic Title: captions become connected titles, so they show in the picture
  where Foundry burns them in (FCPXML's `caption` elements are closed captions,
  off by default and not shown by Resolve's import).
"""

from __future__ import annotations

CROSS_DISSOLVE = ("Cross Dissolve", "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265")
FADE_TO_COLOR = ("Fade To Color", "FxPlug:F779C565-486D-4633-8035-0374B4DB8F5C")
AUDIO_CROSSFADE = ("Audio Crossfade", "FFAudioTransition")
BASIC_TITLE = ("Basic Title", ".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/Basic Title.moti")

WHITE = "1 1 1 1"
COLOR_PARAM = ("Color", "3")  # name and key of Fade To Color's colour
