"""Protocol test servers that stand in for the real servers Foundry talks to (ComfyUI, cloud APIs)."""
