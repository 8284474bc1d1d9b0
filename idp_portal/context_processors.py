from django.conf import settings


def portal(request) -> dict:
    match = getattr(request, "resolver_match", None)
    route = match.route if match else ""
    return {
        "sandbox_cloud": settings.SANDBOX_CLOUD,
        "embedded_setup": settings.EMBEDDED_SETUP,
        # The top-level section a page belongs to, for the navigation bar.
        "section": route.split("/", 1)[0],
    }
