"""Who may do what to a team's environments: one table, read by every door through the actions.

| verb         | dev    | test   | prod                                  |
|--------------|--------|--------|---------------------------------------|
| view         | member | member | member                                |
| request      | member | member | lead                                  |
| update       | member | member | lead                                  |
| extend       | member | member | lead                                  |
| decommission | member | member | lead                                  |
| cancel       | member | member | lead, or whoever requested the change |
| retry        | member | member | lead                                  |

A lead may do everything a member may. Managing the team (budget, Slack) is for leads.
Reviewers (network, security, platform, finance groups) see the changes that wait or
waited for their group and decide on them, never on a change they requested.
A superuser is a platform operator: every verb on every team, recorded in the audit
log as done "as platform operator" outside their own teams; they decide only for the
reviewer groups they are in. The system (expiry) may only see and decommission.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from governance.choices import MembershipRole, ReviewerGroup, Tier, Verb
from idp_portal.permissions import SYSTEM_USERNAME, is_system

MEMBER, LEAD = MembershipRole.MEMBER, MembershipRole.LEAD
_EVERY_TIER_MEMBER_PROD_LEAD = {Tier.DEV: MEMBER, Tier.TEST: MEMBER, Tier.PROD: LEAD}
MINIMUM_ROLE: dict[str, dict[str, str]] = {
    Verb.VIEW: {Tier.DEV: MEMBER, Tier.TEST: MEMBER, Tier.PROD: MEMBER},
    Verb.REQUEST: _EVERY_TIER_MEMBER_PROD_LEAD,
    Verb.UPDATE: _EVERY_TIER_MEMBER_PROD_LEAD,
    Verb.EXTEND: _EVERY_TIER_MEMBER_PROD_LEAD,
    Verb.DECOMMISSION: _EVERY_TIER_MEMBER_PROD_LEAD,
    Verb.CANCEL: _EVERY_TIER_MEMBER_PROD_LEAD,
    Verb.RETRY: _EVERY_TIER_MEMBER_PROD_LEAD,
}
SYSTEM_VERBS = frozenset({Verb.VIEW, Verb.DECOMMISSION})
_AT_LEAST = {MEMBER: (MEMBER, LEAD), LEAD: (LEAD,)}


def roles_allowed(verb: str, tier: str) -> tuple[str, ...]:
    """The team roles that may do `verb` in `tier` (an unknown tier: leads only; validation names it)."""
    return _AT_LEAST[MINIMUM_ROLE[verb].get(tier, LEAD)]


def environments_q(user: User, verb: str, prefix: str = "") -> Q:
    """Filter on environments (or, with a prefix, on rows that point at one) the user's roles allow."""
    from governance.models import Membership

    if verb not in MINIMUM_ROLE:
        raise ValueError(f"unknown verb {verb!r}")
    allowed = Q(pk__in=[])
    by_roles: dict[tuple[str, ...], list[str]] = {}
    for tier in MINIMUM_ROLE[verb]:
        by_roles.setdefault(roles_allowed(verb, tier), []).append(tier)
    for roles, tiers in by_roles.items():
        teams = Membership.objects.filter(user=user, role__in=roles).values("team_id")
        allowed |= Q(**{f"{prefix}tier__in": tiers, f"{prefix}team__in": teams})
    return allowed


def role_in(user: User, team) -> str | None:
    if not user.is_authenticated:
        return None
    return team.memberships.filter(user=user).values_list("role", flat=True).first()


def allows(user, verb: str, team, tier: str) -> bool:
    """Whether `user` may `verb` environments of `team` in `tier` (request: a new one)."""
    return _allows(user, verb, tier, lambda: role_in(user, team))


def _allows(user, verb: str, tier: str, role) -> bool:
    if user is None:
        return False
    if is_system(user):
        return verb in SYSTEM_VERBS
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return role() in roles_allowed(verb, tier)


class TeamAccess:
    """What one user may do in one team, from one query: for pages that ask many times (the dashboard).

    The same answers as `allows` and `Team.objects.for_user(user, view | manage)`.
    """

    def __init__(self, user, team):
        self.user = user
        self.role = role_in(user, team) if user is not None and user.is_authenticated and user.is_active else None

    def allows(self, verb: str, tier: str) -> bool:
        return _allows(self.user, verb, tier, lambda: self.role)

    @property
    def sees(self) -> bool:
        return self.allows(Verb.VIEW, Tier.DEV)

    @property
    def manages(self) -> bool:
        if self.user is None:
            return False
        if is_system(self.user):
            return True  # the portal's own user manages budgets for operators at the shell
        return self.user.is_authenticated and self.user.is_active and (self.user.is_superuser or self.role == LEAD)


def acts_as_operator(user, team) -> bool:
    """A superuser acting on a team they are not in: allowed, and said so in the audit log."""
    return bool(user is not None and user.is_authenticated and user.is_superuser and role_in(user, team) is None)


WHAT = {
    Verb.VIEW: "see its environments",
    Verb.REQUEST: "request environments for it",
    Verb.UPDATE: "update its environments",
    Verb.EXTEND: "extend its environments",
    Verb.DECOMMISSION: "decommission its environments",
    Verb.CANCEL: "cancel its changes",
    Verb.RETRY: "retry its changes",
    Verb.MANAGE: "manage it",
}


def refusal(user, verb: str, team, tier: str) -> str:
    """Why `user` may not `verb` here, and who can."""
    if role_in(user, team) is None:
        return f"You are not a member of team {team.slug}; only its members may {WHAT[verb]}."
    leads = team.memberships.filter(role=LEAD).order_by("user__username").values_list("user__username", flat=True)
    where = f" in {Tier(tier).label.lower()}" if tier in Tier.values else ""
    ask = f"; ask {', '.join(leads)}." if leads else "; the team has no lead yet, ask an admin to name one."
    return f"Only a lead of {team.slug} may {WHAT[verb]}{where}{ask}"


def reviewer_groups(user) -> set[str]:
    """Names of the reviewer groups (network, security, platform, finance) the user is in."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if not hasattr(user, "_reviewer_groups"):
        names = user.groups.filter(name__in=ReviewerGroup.values).values_list("name", flat=True)
        user._reviewer_groups = set(names)
    return user._reviewer_groups


def system_user() -> User:
    """The actor of what the portal does on its own; it can never sign in."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "IDP", "last_name": "system"}
    )
    if created or user.has_usable_password() or user.is_active:
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    return user


def sees_all_costs(user) -> bool:
    """Platform and finance reviewers (and platform operators) read every team's costs."""
    return user.is_superuser or bool(reviewer_groups(user) & {ReviewerGroup.PLATFORM, ReviewerGroup.FINANCE})
