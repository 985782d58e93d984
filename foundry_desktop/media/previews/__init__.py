"""Pictures of media for the views: thumbnails and waveforms."""
