"""The desktop program's self-test, its playback check and the screenshot tool."""
