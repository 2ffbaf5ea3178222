"""Sphinx configuration for the sksearch documentation.

Build with ``pip install -e ".[docs]" && make -C doc html`` (output in
``doc/_build/html``); the Makefile passes ``-W --keep-going`` so that any
warning fails the build.
"""

import os
import re

import matplotlib

matplotlib.use("Agg")  # the gallery renders figures without a display

import sksearch  # noqa: E402

project = "sksearch"
author = "The sksearch developers"
copyright = "The sksearch developers"
release = version = sksearch.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.doctest",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "pydata_sphinx_theme"
# A title without "documentation", four header links before the "More" menu
# and the search as a button keep the header on one row at 1280 px;
# _static/sksearch.css sizes the title's column to the title.
html_title = f"sksearch {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 4,
    "navbar_persistent": ["search-button"],
}
# The user-guide pages are top-level entries with no sub-pages: their section
# navigation would be an empty column that narrows the text and its tables.
html_sidebars = {"guide/*": [], "everyday": [], "design": []}
html_static_path = ["_static"]
html_css_files = ["sksearch.css"]
exclude_patterns = ["_build", "generated/*.examples", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "auto_examples/*.json"]

_here = os.path.dirname(os.path.abspath(__file__))

# Examples gallery: quickstart, plot_search, plot_automl and plot_multi_objective run during the build
# (each well under a minute on a CPU); nas_digits needs PyTorch and is shown,
# not executed.
sphinx_gallery_conf = {
    "examples_dirs": os.path.join(_here, "..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"(quickstart|plot_search|plot_automl|plot_multi_objective)\.py$",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    # show what the examples print, not the repr of a cell's last expression
    # (the Axes a plotting function returns)
    "capture_repr": (),
}


# Methods inherited from scikit-learn keep scikit-learn's docstrings, whose
# :term:`...` (sklearn's glossary) and :ref:`...` (sklearn's user guide) roles
# point into sklearn's own documentation and cannot resolve here: render them
# as plain text.
_SKLEARN_ROLE = re.compile(r":(?:term|ref):`([^`<]*?)\s*(?:<[^>]*>)?`")


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    module = getattr(getattr(obj, "fget", obj), "__module__", None) or ""  # properties too
    if module.startswith("sklearn."):
        lines[:] = [_SKLEARN_ROLE.sub(r"``\1``", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_roles)
