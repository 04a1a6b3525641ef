"""What the public page (公示, no login) may show, as sections other apps register.

Nothing reaches the public page unless an app registers a section for it here: the page renders the
registered sections in `order`, each from its own template and a context built for one campaign. A
section decides what is public (approved, issued for the public) and shows no personal data (no phone
numbers; no personal names other than officials acting in their role). Apps register in their
AppConfig.ready():

    from cpaudit.disclosure.sections import Section, register
    register(Section("spotchecks", "双随机抽查结果", 30, "spotchecks/public.html", public_context))
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    template: str
    # campaign → the template's context; runs a fixed number of queries whatever the data size.
    context: Callable[[object], dict]


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
