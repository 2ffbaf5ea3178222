"""sksearch benchmarks: sksearch side by side with its peers, in one run.

Not installed with the package. See ``benchmarks/README.md``::

    python -m benchmarks run --preset quick
    python -m benchmarks report
"""
