"""ComfyUI: the HTTP + WebSocket client, the farm of servers, workflow templates and their library."""
