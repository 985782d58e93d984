"""The editor's editing commands: the clipboard, the context menus, the keyboard shortcuts list."""
