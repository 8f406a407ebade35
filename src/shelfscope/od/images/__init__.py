"""The image library: stored shelf photos with their metadata, tags and thumbnails."""
