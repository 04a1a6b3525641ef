"""The public disclosure pages (公示): no login. The campaigns, and per campaign its list of
enterprises, the final 评估/验收 results, the sections other apps registered (sections.py) and the
link to document verification. Nothing else: no personal data, nothing in progress."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from . import selectors
from .sections import sections


@require_GET
def index(request):
    return render(request, "disclosure/index.html", {"campaigns": selectors.public_campaigns()})


@require_GET
def campaign(request, slug):
    campaign = selectors.public_campaign(slug)
    registered = [{"key": s.key, "title": s.title,
                   "html": mark_safe(render_to_string(s.template, s.context(campaign)))}  # noqa: S308 (autoescaped template)
                  for s in sections()]
    return render(request, "disclosure/campaign.html", {
        "campaign": campaign, "enterprises": selectors.listed_enterprises(campaign),
        "results": selectors.final_results(campaign), "sections": registered})
