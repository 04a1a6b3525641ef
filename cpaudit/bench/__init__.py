"""The province-scale benchmark (issue 15): a deterministic data generator (generate.py), the floor view
and the Django admin peer (views.py, admin.py, mounted only by cpaudit.settings.bench through urls.py),
and the runner (`python -m cpaudit.bench`, `make bench` / `make bench-quick`; run.py, backend.py).
Not an installed app: it has no models and production never imports it."""
