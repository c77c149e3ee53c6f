"""What several rule families share (screens' common vocabulary, fix helpers)."""
