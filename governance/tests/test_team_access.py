"""TeamAccess (one query for pages that ask many questions) answers exactly as `allows` and `Team.for_user`."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from governance import roles
from governance.choices import Tier, Verb
from governance.models import Team

VERBS = [Verb.VIEW, Verb.REQUEST, Verb.UPDATE, Verb.EXTEND, Verb.DECOMMISSION, Verb.CANCEL, Verb.RETRY]


@pytest.fixture
def everyone(alice, dave, bob, fiona, payments):
    operator = make_user("operator", is_superuser=True)
    gone = make_user("gone", team=payments, is_active=False)
    return {"lead": alice, "member": dave, "outsider": bob, "finance": fiona, "operator": operator,
            "inactive member": gone, "anonymous": AnonymousUser(), "system": roles.system_user()}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["lead", "member", "outsider", "finance", "operator", "inactive member", "anonymous",
                                 "system"])  # fmt: skip
def test_team_access_agrees_with_the_permission_entry_point(everyone, payments, who):
    user = everyone[who]
    access = roles.TeamAccess(user, payments)
    for verb in VERBS:
        for tier in Tier.values:
            assert access.allows(verb, tier) == roles.allows(user, verb, payments, tier), (verb, tier)
    assert access.sees == Team.objects.for_user(user).filter(pk=payments.pk).exists()
    assert access.manages == Team.objects.for_user(user, Verb.MANAGE).filter(pk=payments.pk).exists()


@pytest.mark.django_db
def test_team_access_asks_the_database_once(alice, payments):
    with CaptureQueriesContext(connection) as queries:
        access = roles.TeamAccess(alice, payments)
        answers = [access.allows(verb, tier) for verb in VERBS for tier in Tier.values]
        answers += [access.sees, access.manages]
    assert all(answers)
    assert len(queries) == 1
