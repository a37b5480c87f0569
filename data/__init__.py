"""PatrolWatch's shared data layer.

- ``data.load``: read and validate the data set's files into a ``DataSet`` (pure).
- ``data.filters`` / ``data.aggregate`` / ``data.sourcing``: pure, vectorised pandas.
- ``data.cache``: the one module that uses streamlit's caches.
- ``data/embedded/``: the data set PatrolWatch ships with.
"""
