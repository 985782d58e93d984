"""The cut handed to and taken from other editors (FCPXML, EDL, OTIO) and caption files."""
