"""Writing corpus files the same way from every make-*-corpus.py script."""

import gzip
import os


def put(raw, dst):
    """Write bytes to dst, gzip-compressed (reproducibly: no mtime, no name) when dst ends in .gz."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if dst.endswith('.gz'):
        with open(dst, 'wb') as f, gzip.GzipFile(fileobj=f, mode='wb', compresslevel=9, mtime=0, filename='') as g:
            g.write(raw)
    else:
        with open(dst, 'wb') as f:
            f.write(raw)
