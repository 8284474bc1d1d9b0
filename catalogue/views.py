from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalogue.forms import CatalogueFilterForm, RequestForm
from catalogue.models import Pattern
from governance.permissions import get_for_user
from provisioning import services
from provisioning.choices import ChangeSource


def _pattern(request: HttpRequest, slug: str) -> Pattern:
    return get_for_user(Pattern.objects.prefetch_related("versions"), request.user, slug=slug, is_active=True)


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    filters = CatalogueFilterForm(request.GET or None)
    patterns = Pattern.objects.for_user(request.user).listed().prefetch_related("versions")
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


@login_required
def pattern_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = _pattern(request, slug)
    version = pattern.current_version
    return render(request, "catalogue/pattern_detail.html", {"pattern": pattern, "version": version})


@login_required
def request_environment(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = _pattern(request, slug)
    version = pattern.current_version
    form = RequestForm(request.POST or None, version=version, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = services.request_environment(
            actor=request.user,
            team=data["team"],
            pattern_version=version,
            name=data["name"],
            tier=data["tier"],
            ttl_days=data["ttl_days"],
            parameters=data["parameters"],
            reason=data["reason"],
            source=ChangeSource.PORTAL,
        )
        return redirect("provisioning:change_detail", pk=change.pk)
    status = 400 if request.method == "POST" else 200
    context = {"pattern": pattern, "version": version, "form": form}
    return render(request, "catalogue/request_form.html", context, status=status)


@login_required
@require_POST
def validate_request_field(request: HttpRequest, slug: str) -> HttpResponse:
    """Inline validation (htmx): validate the whole form, return the one field that changed."""
    pattern = _pattern(request, slug)
    form = RequestForm(request.POST, version=pattern.current_version, user=request.user)
    name = request.POST.get("_field", "")
    if name not in form.fields or name == "pattern_version":
        return HttpResponse(status=204)
    form.is_valid()
    return render(request, "catalogue/partials/field.html", {"field": form[name], "pattern": pattern})
