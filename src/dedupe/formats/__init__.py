"""Container formats that hold many documents, one module each.

- :mod:`dedupe.formats.warc`: WARC files (``.warc``, ``.warc.gz``), HTML
  response records read with FastWARC (extra ``warc``);
- :mod:`dedupe.formats.parquet`: Parquet files read with pyarrow (extra
  ``parquet``), one row group at a time.

Both packages are optional and imported only when such a file is read; a
missing one raises :class:`dedupe.MissingDependencyError` naming the
``pip install`` command. :func:`dedupe.read_inputs` is the way in: it picks the
module by file name, for a file given directly or a shard inside a directory.
"""
