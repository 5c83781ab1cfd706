"""Files (and live sources) -> validated articles -> analysis -> store."""
