"""Sphinx configuration for the sksearch documentation (pip install -e ".[docs]")."""

import sksearch

project = "sksearch"
author = "The sksearch developers"
release = version = sksearch.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "sphinx.ext.doctest"]
autosummary_generate = True
numpydoc_show_class_members = False
html_theme = "pydata_sphinx_theme"
exclude_patterns = ["_build"]
