"""Production settings: every secret is required, can come from a file, and `check --deploy` passes.

Settings load once per process, so each case starts a fresh interpreter with an environment built
here from nothing: whatever the developer's shell or CI exports never leaks in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
GENERATE_SECRETS = BASE_DIR / "docker" / "generate-secrets"
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"

# What production cannot start without. REDIS_URL holds no password in compose, so it is plain
# configuration there; the others are secrets.
REQUIRED = [
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "MDA_MASTER_KEYS",
    "MDA_BLIND_INDEX_KEY",
    "MDA_AUDIT_KEY",
]
APP_SERVICES = ["migrate", "web", "worker", "beat"]
SETUP = "import django; django.setup()"


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Secret files exactly as `docker/generate-secrets` makes them for docker-compose."""
    directory = tmp_path_factory.mktemp("secrets")
    subprocess.run(
        [sys.executable, str(GENERATE_SECRETS), "--dir", str(directory), "--db-host", "127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return directory


@pytest.fixture(scope="module")
def secret_files(secrets_dir: Path) -> dict[str, Path]:
    """``NAME -> file`` for every secret the application reads."""
    output = subprocess.run(
        [sys.executable, str(GENERATE_SECRETS), "--dir", str(secrets_dir), "--env"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pairs = (line.split("=", 1) for line in output.splitlines())
    return {name.removesuffix("_FILE"): Path(path) for name, path in pairs}


@pytest.fixture(scope="module")
def valid_env(secret_files: dict[str, Path]) -> dict[str, str]:
    """A complete production environment, every value given directly."""
    env = {name: path.read_text(encoding="utf-8").strip() for name, path in secret_files.items()}
    env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    return env


def run_production(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run Python in the project with production settings and only the variables in *env*."""
    base = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "MDA_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def error_message(result: subprocess.CompletedProcess[str]) -> str:
    """The exception's own message: the traceback's last line, not its source lines."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_it_starts_with_every_required_secret(valid_env: dict[str, str], tmp_path: Path) -> None:
    result = run_production(["-c", SETUP], valid_env, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", REQUIRED)
def test_it_refuses_to_start_without_a_required_variable_and_names_it(
    name: str, valid_env: dict[str, str], tmp_path: Path
) -> None:
    env = {key: value for key, value in valid_env.items() if key != name}

    result = run_production(["-c", SETUP], env, tmp_path)

    assert result.returncode != 0
    message = error_message(result)
    # config.env.StartupError is an ImproperlyConfigured whose message says what to do.
    assert message.startswith(
        ("django.core.exceptions.ImproperlyConfigured", "config.env.StartupError")
    ), result.stderr
    assert name in message


def test_a_blank_secret_key_counts_as_missing(valid_env: dict[str, str], tmp_path: Path) -> None:
    result = run_production(["-c", SETUP], {**valid_env, "SECRET_KEY": ""}, tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY" in error_message(result)


def test_every_secret_can_come_from_a_file(
    secret_files: dict[str, Path], valid_env: dict[str, str], tmp_path: Path
) -> None:
    env = {f"{name}_FILE": str(path) for name, path in secret_files.items()}
    env["REDIS_URL"] = valid_env["REDIS_URL"]
    show = (
        f"{SETUP}; from django.conf import settings; "
        "print(settings.SECRET_KEY); print(settings.DATABASES['default']['PASSWORD'])"
    )

    result = run_production(["-c", show], env, tmp_path)

    assert result.returncode == 0, result.stderr
    secret_key, db_password = result.stdout.splitlines()[-2:]
    assert secret_key == valid_env["SECRET_KEY"]
    password_file = secret_files["DATABASE_URL"].parent / "db_app_password"  # the app's role
    assert db_password == password_file.read_text(encoding="utf-8").strip()


def test_a_secret_file_that_does_not_exist_is_named(
    valid_env: dict[str, str], tmp_path: Path
) -> None:
    env = {key: value for key, value in valid_env.items() if key != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(tmp_path / "no-such-file")

    result = run_production(["-c", SETUP], env, tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in error_message(result)


def test_the_deploy_checks_pass(valid_env: dict[str, str], tmp_path: Path) -> None:
    result = run_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], valid_env, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "warning"),
    [
        ("SECURE_HSTS_SECONDS", "0", "security.W004"),
        ("SECURE_SSL_REDIRECT", "false", "security.W008"),
    ],
)
def test_the_deploy_checks_catch_a_weakened_setting(
    variable: str, value: str, warning: str, valid_env: dict[str, str], tmp_path: Path
) -> None:
    # The security checks alone: the weakened setting is theirs to catch (the URL and model checks
    # that a full run adds are test_the_deploy_checks_pass's, and cost a second here).
    result = run_production(
        ["manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        {**valid_env, variable: value},
        tmp_path,
    )
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def _compose() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(compose, dict)
    return compose


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_gives_each_app_service_every_required_setting(
    service: str, secrets_dir: Path
) -> None:
    compose = _compose()
    spec = compose["services"][service]
    environment = spec["environment"]
    assert isinstance(environment, dict)
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    mounted = spec.get("secrets", [])
    assert isinstance(mounted, list)
    for name in REQUIRED:
        if name in environment:
            continue
        path = environment.get(f"{name}_FILE")
        assert isinstance(path, str), f"{service} gets neither {name} nor {name}_FILE"
        secret = path.removeprefix("/run/secrets/")
        assert secret in mounted, f"{service} does not mount the secret {secret}"
        source = compose["secrets"][secret]["file"]
        assert isinstance(source, str)
        # docker/generate-secrets makes the very file compose mounts.
        assert (secrets_dir / Path(source).name).is_file(), f"nothing generates {source}"


def test_compose_runs_exactly_one_beat() -> None:
    services = _compose()["services"]
    beat = services["beat"]
    deploy = beat["deploy"]
    assert isinstance(deploy, dict)
    assert deploy["replicas"] == 1
    others_with_beat = [
        name
        for name, spec in services.items()
        if name != "beat" and {"beat", "-B", "--beat"} & set(map(str, spec.get("command") or []))
    ]
    assert others_with_beat == []
