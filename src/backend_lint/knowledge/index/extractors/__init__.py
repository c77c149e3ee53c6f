"""Extra fact extractors: each module defines ``extract(tree, facts, resolve)``."""
