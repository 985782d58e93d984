"""The project's dialogs: captions, characters, plans, mood boards, render, export and import, workflows."""
