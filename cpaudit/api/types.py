"""Input types shared by every endpoint: one way to parse each kind of value, so that no input reaches a
service or the database in a form it cannot take (a NUL, a lone surrogate, an id beyond a 64-bit
column, a year 1 date) and every refusal is a 4xx with a Chinese message."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# Primary keys are 64-bit columns (BigAutoField): a larger number names nothing and would overflow.
MAX_ID = 2**63 - 1
# The platform's records start long after 2000; bounds keep date arithmetic away from year 1 and 9999.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
# No NUL anywhere (PostgreSQL refuses it in text); shown in the schema so clients know.
NO_NUL = r"^[^\x00]*$"


def _text(value: str) -> str:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise PydanticCustomError("text_surrogate", "含有无法保存的字符")
    return value


def _day(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError("date_range", "日期应在2000年至2100年之间")
    return value


def text(max_length: int, **kwargs):
    """A string of at most `max_length` characters, without NUL or lone surrogates."""
    return Annotated[str, Field(max_length=max_length, pattern=NO_NUL, **kwargs), AfterValidator(_text)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[dt.date, AfterValidator(_day)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Quantity = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=4)]
Page = Annotated[int, Field(ge=1, le=100_000)]
PageSize = Annotated[int, Field(ge=1, le=200)]
Slug = Annotated[str, Field(max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")]
DivisionCode = Annotated[str, Field(pattern=r"^[0-9]{6}$")]
IndustryCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,5}$")]
Month = Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="月份，YYYY-MM")]
