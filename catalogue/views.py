from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalogue.forms import CatalogueFilterForm, RequestForm
from catalogue.models import Pattern
from governance.permissions import get_for_user
from provisioning import services
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.models import ChangeRequest


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


def _previous_change(request: HttpRequest, pattern: Pattern) -> ChangeRequest | None:
    """The rejected request being fixed (`?from=<change id>`), if the user may see it."""
    change_id = request.GET.get("from", "")
    if not change_id.isdigit():
        return None
    return (
        ChangeRequest.objects.for_user(request.user)
        .select_related("environment")
        .filter(pk=int(change_id), environment__pattern_version__pattern=pattern, status=ChangeStatus.REJECTED)
        .first()
    )


def _show_violations(form: RequestForm, change: ChangeRequest) -> list[dict]:
    """Put each policy violation next to the form field it maps to; return the ones without a field."""
    unplaced = []
    for result in change.policy_results:
        name = result.get("field")
        if name in form.fields:
            bound = form[name]
            bound.policy_violations = [*getattr(bound, "policy_violations", []), result]
        else:
            unplaced.append(result)
    return unplaced


@login_required
def request_environment(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = _pattern(request, slug)
    version = pattern.current_version
    previous = _previous_change(request, pattern) if request.method == "GET" else None
    initial = None
    if previous is not None:
        initial = {
            **previous.parameters,
            "team": previous.environment.team_id,
            "name": previous.environment.name,
            "tier": previous.environment.tier,
            "ttl_days": previous.ttl_days,
            "reason": previous.reason,
        }
    form = RequestForm(request.POST or None, initial=initial, version=version, user=request.user)
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
    unplaced = _show_violations(form, previous) if previous is not None else []
    context = {"pattern": pattern, "version": version, "form": form, "previous": previous, "unplaced": unplaced}
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
