"""Environment list, environment page and decommission: anonymous, outsider, member."""

import pytest
from django.contrib.messages import get_messages

from catalogue.tests.helpers import parse_html, request_records
from conftest import client_for, request_change
from governance.choices import ChangeAction
from provisioning.choices import ChangeStatus, EnvironmentStatus
from provisioning.models import ChangeRequest, Environment

pytestmark = pytest.mark.django_db


@pytest.fixture
def environment(catalogue, alice, payments):
    """payments/checkout-dev, requested by alice (its create change is still checking)."""
    return request_change(alice, payments, catalogue["web-app"].current_version, name="checkout-dev").environment


@pytest.fixture
def active_environment(environment):
    environment.changes.update(status=ChangeStatus.APPLIED)
    Environment.objects.filter(pk=environment.pk).update(status=EnvironmentStatus.ACTIVE)
    environment.refresh_from_db()
    return environment


def environment_names(response) -> list[str]:
    return [row.attrs["data-environment"] for row in parse_html(response.content).find_all("tr")
            if "data-environment" in row.attrs]  # fmt: skip


# -- anonymous ---------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/environments/", "/environments/{pk}/"])
def test_anonymous_is_sent_to_the_login_page(client, environment, path):
    url = path.format(pk=environment.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_anonymous_cannot_decommission(client, active_environment):
    before = request_records()
    response = client.post(f"/environments/{active_environment.pk}/decommission/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert request_records() == before


# -- outsider ----------------------------------------------------------------
def test_the_outsider_does_not_see_another_teams_environment_in_the_list(bob, environment):
    response = client_for(bob).get("/environments/")
    assert response.status_code == 200
    assert environment_names(response) == []
    assert b"checkout-dev" not in response.content


def test_the_outsider_gets_404_for_another_teams_environment(bob, environment):
    assert client_for(bob).get(f"/environments/{environment.pk}/").status_code == 404


def test_the_outsider_cannot_decommission_another_teams_environment(bob, active_environment):
    # given
    before = request_records()

    # when
    response = client_for(bob).post(f"/environments/{active_environment.pk}/decommission/")

    # then
    assert response.status_code == 404
    assert request_records() == before
    active_environment.refresh_from_db()
    assert active_environment.status == EnvironmentStatus.ACTIVE


def test_a_reviewer_outside_the_team_gets_404_for_the_environment(nina, environment):
    assert client_for(nina).get(f"/environments/{environment.pk}/").status_code == 404


def test_a_missing_environment_is_404(alice, environment):
    assert client_for(alice).get(f"/environments/{environment.pk + 1000}/").status_code == 404


# -- member ------------------------------------------------------------------
def test_the_member_sees_the_teams_environments_and_recent_changes(dave, environment):
    # when the teammate of the requester looks
    response = client_for(dave).get("/environments/")

    # then
    assert response.status_code == 200
    assert environment_names(response) == ["checkout-dev"]
    page = parse_html(response.content)
    assert "Payments" in page.find("p", cls="subtitle").text
    assert f"#{environment.changes.get().pk}" in page.text


def test_withdrawn_environments_are_hidden_unless_asked_for(alice, environment):
    # given
    Environment.objects.filter(pk=environment.pk).update(status=EnvironmentStatus.WITHDRAWN)

    # then
    assert environment_names(client_for(alice).get("/environments/")) == []
    assert environment_names(client_for(alice).get("/environments/?show=all")) == ["checkout-dev"]


def test_a_user_in_no_team_is_told_so(nina):
    response = client_for(nina).get("/environments/")
    assert response.status_code == 200
    assert "You are not in a team yet" in parse_html(response.content).text


def test_the_member_sees_the_environment_page(dave, environment):
    # when
    response = client_for(dave).get(f"/environments/{environment.pk}/")

    # then
    assert response.status_code == 200
    page = parse_html(response.content)
    assert page.find("h1").text.startswith("checkout-dev")
    assert page.find(id="environment-status").text == "Requested"
    assert "Public-facing web application 1.0.0" in page.text
    assert "team=payments" in page.text  # mandatory tags
    assert "requested" in page.find(id="audit-log").text
    assert "Decommission" not in page.text  # nothing built yet


def test_the_member_decommissions_an_active_environment(dave, active_environment):
    # when
    response = client_for(dave).post(
        f"/environments/{active_environment.pk}/decommission/", {"confirm_name": active_environment.name}
    )

    # then
    destroy = ChangeRequest.objects.get(environment=active_environment, action=ChangeAction.DESTROY)
    assert response.status_code == 302
    assert response["Location"] == f"/changes/{destroy.pk}/"
    assert destroy.requested_by == dave
    assert destroy.status == ChangeStatus.CHECKING
    assert destroy.runs.get().destroy is True


def test_decommissioning_an_environment_not_built_yet_is_refused_with_a_message(alice, environment):
    # given
    before = request_records()

    # when
    response = client_for(alice).post(
        f"/environments/{environment.pk}/decommission/", {"confirm_name": environment.name}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/environments/{environment.pk}/"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        f"payments/checkout-dev is busy with change #{environment.changes.get().pk} (checking); "
        "wait for it or cancel it, then decommission again."
    )
    assert request_records() == before


def test_decommission_only_accepts_post(alice, active_environment):
    assert client_for(alice).get(f"/environments/{active_environment.pk}/decommission/").status_code == 405
    assert not ChangeRequest.objects.filter(action=ChangeAction.DESTROY).exists()


# -- alarms ------------------------------------------------------------------
ALARM_OUTPUTS = {
    "alarm_topic_arn": "arn:aws:sns:eu-central-1:123456789012:checkout-dev-1-alarms",
    "alarms": ["checkout-dev-1-alb-5xx", "checkout-dev-1-db-cpu"],
}


def alarm_panel(response):
    return parse_html(response.content).find(id="monitoring")


def test_the_environment_page_lists_its_alarms_by_name_in_the_sandbox(alice, active_environment, settings):
    # given an applied environment whose pattern ships alarms, in the sandbox cloud
    settings.SANDBOX_CLOUD = True
    Environment.objects.filter(pk=active_environment.pk).update(outputs=ALARM_OUTPUTS)

    # when alice opens its page
    panel = alarm_panel(client_for(alice).get(f"/environments/{active_environment.pk}/"))

    # then she sees every alarm and the topic to subscribe to, without console links
    assert [item.text for item in panel.find_all("li")] == ALARM_OUTPUTS["alarms"]
    assert ALARM_OUTPUTS["alarm_topic_arn"] in panel.text
    assert panel.find("a") is None


def test_on_aws_each_alarm_links_to_the_cloudwatch_console_of_the_environments_region(
    alice, active_environment, settings
):
    # given the same environment on real AWS, in eu-central-1
    settings.SANDBOX_CLOUD = False
    Environment.objects.filter(pk=active_environment.pk).update(
        outputs=ALARM_OUTPUTS, parameters={**active_environment.parameters, "region": "eu-central-1"}
    )

    # when alice opens its page
    panel = alarm_panel(client_for(alice).get(f"/environments/{active_environment.pk}/"))

    # then each alarm links to its page in the CloudWatch console of that region
    links = {a.text: a.attrs["href"] for a in panel.find_all("a")}
    assert links == {
        name: "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#alarmsV2:alarm/" + name
        for name in ALARM_OUTPUTS["alarms"]
    }


def test_an_environment_without_alarms_shows_no_alarm_panel(alice, active_environment):
    Environment.objects.filter(pk=active_environment.pk).update(outputs={"url": "https://example.test"})

    response = client_for(alice).get(f"/environments/{active_environment.pk}/")

    assert response.status_code == 200 and alarm_panel(response) is None
