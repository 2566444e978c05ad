"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``.

After the app is built, the objects it loaded (about 245,000: the models, the templates, the translation catalogs,
the signing libraries) are moved out of the garbage collector's reach with ``gc.freeze()``. Without it one request in
about ten paid for a full collection walking all of them, some 116 ms, which made the inspector's flag list miss its
300 ms p95 on the province benchmark (docs/performance.md, "County dashboard"). The frozen objects live as long as
the process anyway.
"""

import gc

from wage_guard import create_app

app = create_app()
gc.collect()
gc.freeze()
