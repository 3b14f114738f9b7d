"""Configuration read from the environment: what production gets and what a fresh checkout gets."""

import os
import subprocess
import sys
from pathlib import Path

from solidarity.settings import mailer

ROOT = Path(__file__).resolve().parent.parent


def test_smtp_url_becomes_a_mailer_with_a_finite_timeout():
    assert mailer("smtp+tls://user:secret@smtp.example.org:587") == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.org",
            "port": 587,
            "username": "user",
            "password": "secret",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        },
    }


def test_no_email_url_prints_email_to_the_console():
    assert mailer("consolemail://") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    assert mailer("consolemail://", debug=True) == {"BACKEND": "solidarity.mail.EmailBackend"}


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deployment_checks_pass_with_production_settings():
    result = run_check(
        {
            "SECRET_KEY": "a-production-secret-that-is-long-and-random-4f9c2e7b1d8a6035",
            "ALLOWED_HOSTS": "solidarity.example.org",
            "DATABASE_URL": "postgres://solidarity@127.0.0.1:5432/solidarity",
            "EMAIL_URL": "smtp+tls://user:secret@smtp.example.org:587",
            "CACHE_URL": "redis://127.0.0.1:6379/0",
            "SITE_URL": "https://solidarity.example.org",
        }
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_flag_the_development_defaults():
    result = run_check({})

    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the development SECRET_KEY
    assert "mail.E001" in result.stderr  # email printed to the console, not sent
    assert "solidarity.W001" in result.stderr  # limits not shared between workers
    assert "solidarity.W002" in result.stderr  # email links without HTTPS
