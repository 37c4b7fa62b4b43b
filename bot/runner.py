"""Starting the Discord bot from the command line."""
from __future__ import annotations

import sys


def run_bot(settings) -> int:
    if settings.discord_token is None:
        print("casebot: no Discord token: set CASEBOT_DISCORD_TOKEN (in the environment or .env) to run the bot, "
              "or use `casebot console` to use the same commands locally.", file=sys.stderr)
        return 2
    from bot.discord_app import run_discord

    return run_discord(settings)
