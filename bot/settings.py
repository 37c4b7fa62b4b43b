"""All of casebot's settings: the retrieval core's plus the Discord bot's. The token is never shown."""
from __future__ import annotations

import logging
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import NoDecode

from retrieval.config import RetrievalSettings


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
assert all(isinstance(getattr(logging, name), int) for name in LOG_LEVELS)


def _id_list(value) -> list[int]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = [p for p in str(value).replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    out = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit():
            # The value is not repeated: a token pasted into the wrong variable must not be printed.
            raise ValueError("expected Discord ids (numbers) separated by commas")
        out.append(int(text))
    return out


class BotSettings(RetrievalSettings):
    discord_token: SecretStr | None = Field(None, description="The bot's token from the Discord developer portal.")
    guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Servers to sync slash commands to at start (instant); empty = global.")
    admin_role_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Roles allowed to /reindex, besides members with Manage Server.")
    ask_cooldown_seconds: float = Field(10.0, ge=0, le=3600, allow_inf_nan=False,
                                        description="Per-user pause between questions.")
    ask_cooldown_rate: int = Field(3, ge=1, le=100, description="Questions allowed per cooldown window.")
    log_level: str = Field("INFO", description="Logging level of the bot process: DEBUG, INFO, WARNING, ERROR "
                           "or CRITICAL (any case).")

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, v):
        level = str(v).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"not a log level: use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("guild_ids", "admin_role_ids", mode="before")
    @classmethod
    def _parse_ids(cls, v):
        return _id_list(v)

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, str) and (any(ch.isspace() for ch in v.strip()) or not v.strip().isprintable()):
            # Never repeated: a token pasted with a stray word or line break is still a secret.
            raise ValueError("a bot token has no spaces or line breaks: copy it again from the developer portal")
        return v.strip() if isinstance(v, str) else v


def describe_validation_error(exc: ValidationError) -> str:
    """A settings error naming the variable and the problem, never the value (it may be a secret)."""
    lines = ["invalid settings:"]
    for err in exc.errors():
        name = "CASEBOT_" + "_".join(str(p) for p in err.get("loc", ()) if isinstance(p, str)).upper()
        lines.append(f"  {name}: {err.get('msg', 'invalid value')}")
    return "\n".join(lines)


# CASEBOT_* variables that are not settings but are read elsewhere (the test suite's stress switch).
NOT_SETTINGS = {"CASEBOT_STRESS"}


def unknown_variables(names, fields=None) -> list[str]:
    """Warnings for CASEBOT_* names that are no setting (a typo is otherwise ignored without a word), each with
    the closest setting's name when there is one. `names`: variable names from the environment or a .env file."""
    import difflib

    known = {f"CASEBOT_{f.upper()}" for f in (fields or BotSettings.model_fields)}
    out = []
    for name in sorted(set(names)):
        upper = name.upper()
        if not upper.startswith("CASEBOT_") or upper in known or upper in NOT_SETTINGS:
            continue
        # Compared without the shared prefix, which would make every name look close.
        close = difflib.get_close_matches(upper[8:], sorted(k[8:] for k in known), n=1, cutoff=0.75)
        out.append(f"{name} is not a casebot setting and is ignored" + (f" (did you mean CASEBOT_{close[0]}?)"
                                                                          if close else ""))
    return out
