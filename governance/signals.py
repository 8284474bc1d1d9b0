"""Keep each team's Django group in step with its memberships (admin edits included)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from governance.models import Membership


@receiver(post_save, sender=Membership)
def add_member_to_team_group(sender, instance: Membership, **kwargs) -> None:
    instance.user.groups.add(instance.team.group)


@receiver(post_delete, sender=Membership)
def remove_member_from_team_group(sender, instance: Membership, **kwargs) -> None:
    instance.user.groups.remove(instance.team.group)
