"""Pagination shared by every list: `page` (from 1) and `page_size` (default CPAUDIT_PAGE_SIZE, at most
200); the answer says how many there are in all. A page past the end is empty, not an error."""

from django.conf import settings
from ninja import Schema
from pydantic import create_model

from .types import Page, PageSize


class Paging(Schema):
    page: Page = 1
    page_size: PageSize | None = None


def page_of(item, name: str):
    """The schema of one page of `item`s (a named component in the OpenAPI document)."""
    return create_model(name, __base__=Schema, count=(int, ...), page=(int, ...), page_size=(int, ...),
                        results=(list[item], ...))


def paginate(queryset, paging: Paging, convert=None) -> dict:
    """One page of `queryset` (already ordered; or a list already worked out): a count and the rows of
    the page (`convert` maps the list of rows to what the schema wants, e.g. adding computed fields in
    bulk)."""
    size = paging.page_size or settings.CPAUDIT_PAGE_SIZE
    start = (paging.page - 1) * size
    rows = list(queryset[start:start + size])
    count = len(queryset) if isinstance(queryset, list) else queryset.count()
    return {"count": count, "page": paging.page, "page_size": size,
            "results": convert(rows) if convert else rows}
