"""Plans made before the timeline: scene plans from a brief, mood boards, scene lengths fitted to a film."""
