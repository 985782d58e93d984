"""OpenTimelineIO: Foundry's conventions, writer and reader."""
