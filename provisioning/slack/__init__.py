"""The Slack door: the `/platform` slash command and the buttons on notices.

Every request is verified with the app's signing secret (`verification`), its Slack user is resolved to
the portal user who linked it (`governance.slack_links`), and what it asks is done by the same actions
as every other door, with that user as the actor (`commands`, `interactions`). Notices with buttons are
built in `blocks` and sent by `provisioning.notifications`.
"""
