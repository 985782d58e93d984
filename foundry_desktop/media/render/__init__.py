"""The composer: conforming takes, transitions, captions, sound, segments and the film."""
