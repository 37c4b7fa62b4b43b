"""What a new operator copies from the README, the Makefile, .env.example and the Dockerfile agrees with casebot
(issue 16, items 4, 7 and 8): no placeholders, no paths a clone does not have, the same CPU wheel index
everywhere, settings that exist, the image's command one that casebot accepts."""
from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from bot.cli import build_parser
from bot.settings import BotSettings

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
CPU_INDEX = re.search(r"ARG TORCH_INDEX_URL=(\S+)", DOCKERFILE).group(1)


def test_one_cpu_wheel_index_in_the_dockerfile_readme_and_makefile():
    assert CPU_INDEX.startswith("https://download.pytorch.org/whl/cpu")
    assert f"make install TORCH_INDEX_URL={CPU_INDEX}" in README
    assert f"TORCH_INDEX_URL={CPU_INDEX}" in MAKEFILE


@pytest.mark.parametrize("url, expected", [("", ""), (CPU_INDEX, f"--extra-index-url {CPU_INDEX}")])
def test_makefile_installs_torch_from_the_index_only_when_asked(url, expected):
    dry = subprocess.run(["make", "-n", "-B", "install", f"TORCH_INDEX_URL={url}"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    [torch_line] = [line for line in dry.splitlines() if line.rstrip().endswith("-c constraints.txt torch")]
    assert ("--extra-index-url" in torch_line) == bool(url) and expected in torch_line


def test_no_placeholders_or_paths_outside_the_clone():
    assert "<CPU index>" not in README and "../shared" not in README
    for path in re.findall(r"\b(tests/[\w./-]+\.\w+)", README):
        assert (ROOT / path).exists(), path


def test_env_example_names_only_real_settings_and_keeps_the_corpus_outside_the_checkout():
    lines = [line for line in (ROOT / ".env.example").read_text().splitlines() if line and not line.startswith("#")]
    names = {line.split("=", 1)[0] for line in lines}
    assert names <= {f"CASEBOT_{field.upper()}" for field in BotSettings.model_fields}
    values = dict(line.split("=", 1) for line in lines)
    for key in ("CASEBOT_CORPUS_DIR", "CASEBOT_INDEX_DIR"):
        assert values[key].startswith(("/", "~")), key  # not inside the repository


def test_env_example_is_accepted_once_filled_in(monkeypatch, tmp_path):
    example = (ROOT / ".env.example").read_text().replace("CASEBOT_DISCORD_TOKEN=", "CASEBOT_DISCORD_TOKEN=MTIz.a.b")
    (tmp_path / ".env").write_text(example)
    monkeypatch.chdir(tmp_path)
    settings = BotSettings()
    assert settings.discord_token is not None and "casebot-data" in str(settings.corpus_dir)


def test_the_image_command_is_one_casebot_accepts_and_waits_on_errors():
    cmd = re.search(r'^CMD \[(.*)\]$', DOCKERFILE, re.M).group(1)
    argv = [part.strip().strip('"') for part in cmd.split(",")]
    assert argv[0] == "casebot"
    args = build_parser().parse_args(argv[1:])
    assert args.command == "run" and args.wait_on_error


def test_the_image_user_is_the_uid_the_readme_tells_to_chown_to():
    uid = re.search(r"useradd .*--uid (\d+)", DOCKERFILE).group(1)
    assert f"chown -R {uid}:{uid}" in README and "--env-file" in README


def test_readme_docker_run_lines_are_well_formed():
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip().startswith("docker run"):
                shlex.split(command)  # quotes balanced
                assert "-e CASEBOT_DISCORD_TOKEN" not in command  # the token goes in --env-file
