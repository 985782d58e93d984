"""Files other programs read: subtitles now; FCPXML, EDL and OTIO (issue 6)."""
