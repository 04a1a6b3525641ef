"""Downloads of the forms (Table 1 / Table 2) and of the batches' letters (owned by views_documents)."""

urlpatterns: list = []
