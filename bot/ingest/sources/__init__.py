"""Live sources: the publishers' feeds and pages -> articles for the ingest pipeline."""
