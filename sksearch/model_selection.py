"""The public ``*SearchCV`` classes: thin subclasses of the one driver,
:class:`sksearch._search.BaseSearch`, each naming its strategy."""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real  # noqa: F401  (for subclasses' constraints)

import numpy as np  # noqa: F401

from ._compat import Interval, StrOptions  # noqa: F401
from ._search import BaseSearch  # noqa: F401

__all__ = []
