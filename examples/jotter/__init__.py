"""Jotter: an EXAMPLE provider, fictional, added by following docs/adding-a-provider.md.

Jotter is a made-up notes tool with one resource (notes). Everything it needs
lives in this directory; in a real provider each file has its place in the
tree (the recipe's table names them), and `settings.py` here holds exactly the
recipe's registry lines. `tests/recipe/` runs `tests/` here with those
settings and checks that nothing outside this directory names Jotter.
"""
