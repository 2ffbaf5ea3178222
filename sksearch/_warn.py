"""Warnings that point at the user's code."""

# SPDX-License-Identifier: BSD-3-Clause

import os
import sys
import warnings

import sklearn

__all__ = ["warn_user"]

_INSIDE = (
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
    os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep,
)


def warn_user(message, category=UserWarning):
    """Warn at the first frame outside sksearch and scikit-learn: the user's
    ``fit`` call (or the user's call into scikit-learn that fitted the
    search), however deep in the search the warning is raised. A fixed
    ``stacklevel`` counts frames that the next change of the call chain
    (sklearn's ``_fit_context`` wrapper included) moves."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INSIDE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
