"""The editor's main window: its docks, menus and actions, opening projects, and what it shows around them."""
