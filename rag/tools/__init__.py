"""Tools around the product: training, evaluation, calibration, benchmarks.

They import the pipeline in ``rag/``; nothing in ``rag/`` outside this package imports them
(``tests/test_architecture.py`` checks it).
"""
