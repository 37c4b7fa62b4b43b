"""Checks for the slash commands, as decorators: who may reindex, and how often one person may ask."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

import discord
from discord import app_commands


class NotCaseAdmin(app_commands.CheckFailure):
    """The member may not run an admin command; the message is shown to them as is."""


class AskLimiter:
    """Per-user rate limit shared by /ask and @mentions: at most `rate` questions per `per` seconds.

    Not `app_commands.checks.cooldown`: the rate comes from settings at start (not at import), one budget
    must cover both slash commands and mentions, and each bot gets its own buckets (a decorator's cooldown
    lives on the module-level command and would be shared by every bot built in one process, tests included).
    The clock is `time.monotonic` so wall-clock jumps never lock anyone out.
    """

    def __init__(self, rate: int, per: float, clock: Callable[[], float] | None = None):
        self.rate = max(1, int(rate))
        self.per = float(per)
        self._clock = clock  # None: time.monotonic, looked up at each call (test clocks patch the module)
        self._hits: dict[int, deque[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.per > 0

    def hit(self, user_id: int) -> float | None:
        """Count a question; None if allowed, else the seconds to wait before asking again."""
        if not self.enabled:
            return None
        now = self._clock() if self._clock else time.monotonic()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return max(0.1, self.per - (now - hits[0]))
        hits.append(now)
        # Forget idle users so the table does not grow with every member who ever asked.
        if len(self._hits) > 10_000:
            self._hits = {u: h for u, h in self._hits.items() if h and now - h[-1] < self.per}
        return None

    def reset(self) -> None:
        self._hits.clear()


def ask_cooldown():
    """Rate-limit a command with the bot's shared AskLimiter (raises app_commands.CommandOnCooldown)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        limiter: AskLimiter | None = getattr(interaction.client, "ask_limiter", None)
        if limiter is None:
            return True
        retry_after = limiter.hit(interaction.user.id)
        if retry_after is not None:
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(limiter.rate, limiter.per), retry_after)
        return True

    return app_commands.check(predicate)


def is_case_admin(user: discord.abc.User, permissions: discord.Permissions | None,
                  admin_role_ids: list[int] | tuple[int, ...]) -> bool:
    """Manage Server (or Administrator) in this channel, or one of the configured admin roles."""
    if permissions is not None and (permissions.manage_guild or permissions.administrator):
        return True
    roles = getattr(user, "roles", None) or []
    wanted = set(admin_role_ids)
    return any(role.id in wanted for role in roles)


def admin_only(*, hide: bool = True):
    """Only members with Manage Server or a role in CASEBOT_ADMIN_ROLE_IDS may run the command.

    `default_permissions` hides the command from everyone else in the client, but server admins can
    re-grant it to anyone under Server Settings → Integrations, so the check is also enforced here, in code.
    `hide=False` for a subcommand (`/case set`), which Discord cannot hide apart from its group.
    """

    async def predicate(interaction: discord.Interaction) -> bool:
        settings = getattr(interaction.client, "settings", None)
        role_ids = getattr(settings, "admin_role_ids", []) or []
        if interaction.guild is None:
            raise NotCaseAdmin("This command only works in a server channel.")
        if not is_case_admin(interaction.user, interaction.permissions, role_ids):
            what = interaction.command.qualified_name if interaction.command else "this command"
            raise NotCaseAdmin("Only members with the Manage Server permission or a casebot admin role can "
                               f"use /{what}. Ask one of your server's admins.")
        return True

    def decorator(func):
        if hide:
            func = app_commands.default_permissions(manage_guild=True)(func)
            func = app_commands.guild_only()(func)
        return app_commands.check(predicate)(func)

    return decorator
