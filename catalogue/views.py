from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalogue.forms import CatalogueFilterForm
from catalogue.models import Pattern, PatternVersion
from idp_portal.permissions import get_for_user


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    filters = CatalogueFilterForm(request.GET or None)
    # The cards show each current version's number and tiers: not its module, schema or prices.
    versions = PatternVersion.objects.only("pattern_id", "version", "status", "tiers")
    patterns = Pattern.objects.for_user(request.user).listed().prefetch_related(Prefetch("versions", versions))
    if filters.is_valid():
        q = filters.cleaned_data["q"]
        if q:
            patterns = patterns.filter(Q(name__icontains=q) | Q(summary__icontains=q) | Q(description__icontains=q))
        if filters.cleaned_data["category"]:
            patterns = patterns.filter(category=filters.cleaned_data["category"])
        if filters.cleaned_data["classification"]:
            patterns = patterns.filter(data_classification=filters.cleaned_data["classification"])
    template = "catalogue/partials/pattern_cards.html" if request.htmx else "catalogue/catalogue_list.html"
    return render(request, template, {"patterns": patterns, "filters": filters})


# Environments that no longer exist (provisioning's EnvironmentStatus.gone_values; the catalogue sits
# below provisioning, so it names them; a test keeps the two lists equal).
GONE_STATUSES = ("decommissioned", "withdrawn")


@login_required
def pattern_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = get_for_user(Pattern.objects.prefetch_related("versions"), request.user, slug=slug, is_active=True)
    version = pattern.current_version
    # Across every team: how widely each version runs, never which teams run it.
    versions = pattern.versions.annotate(
        in_use=Count("environments", filter=~Q(environments__status__in=GONE_STATUSES))
    ).order_by("-created_at")
    return render(
        request, "catalogue/pattern_detail.html", {"pattern": pattern, "version": version, "versions": versions}
    )
