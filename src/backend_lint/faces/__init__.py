"""The faces: command line, flake8 plugin, output formats, adoption tools."""
