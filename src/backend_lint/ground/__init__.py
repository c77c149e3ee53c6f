"""The ground: configuration, file discovery, exact source I/O, caches."""
