"""Content security policy: every page says scripts and styles come only from our static files, and no
template or rendered page holds inline code the policy would block (or that an injection could ride on)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from conftest import client_for

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "on…= event handler attribute"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def inline_code(html: str) -> list[str]:
    return [f"{what}: {match.group(0)[:80]}" for pattern, what in INLINE for match in pattern.finditer(html)]


def templates() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        Path(settings.BASE_DIR) / app / "templates" for app in ("catalogue", "governance", "provisioning", "costs")
    ]
    return sorted(path for root in roots if root.exists() for path in root.rglob("*.html"))


@pytest.mark.parametrize("template", templates(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_holds_inline_code(template):
    assert inline_code(template.read_text()) == []


def test_the_scan_finds_what_it_looks_for():
    page = '<script>alert(1)</script><a onclick="x()" style="color:red" href="javascript:x()">x</a>'
    assert len(inline_code(page)) == 4
    assert inline_code('<script src="/static/js/portal.js"></script><script type="application/json">{}</script>') == []


@pytest.fixture
def pages(awaiting, alice, payments):
    environment = awaiting.environment
    return [
        "/",
        "/catalogue/",
        "/catalogue/web-app/",
        "/catalogue/web-app/request/",
        f"/teams/{payments.slug}/",
        f"/environments/{environment.pk}/",
        f"/changes/{awaiting.pk}/",
        "/approvals/",
        "/api/v1/docs/",
        "/admin/",
    ]


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_unsafe_inline_and_holds_no_inline_code(pages, alice):
    alice.is_staff = True
    alice.save()
    client = client_for(alice)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'" and "unsafe" not in policy, url
        if "/admin/" not in url and "/api/" not in url:  # Django's and Swagger's own markup is theirs
            assert inline_code(response.content.decode()) == [], url


@pytest.mark.django_db
def test_the_sign_in_page_carries_the_policy_too():
    from django.test import Client

    response = Client().get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(alice):
    response = client_for(alice).get("/api/v1/docs/")
    assert '<script src="/api/v1/docs/?script="></script>' in response.content.decode()
    script = client_for(alice).get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
