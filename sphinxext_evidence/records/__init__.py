"""Records: the typed record model, the committed lockfile and the build's read-only store."""
