"""`foundry key` and `foundry cloud`: the cloud services' API keys, addresses and default models."""

from __future__ import annotations

import argparse
import getpass
import sys

from foundry_desktop.app.generation.api_keys import KEY_OWNERS
from foundry_desktop.app.generation.api_keys import PROVIDERS as API_PROVIDERS
from foundry_desktop.app.generation.api_keys import api_key, remove_api_key, set_api_key
from foundry_desktop.app.generation.settings import CloudServiceSettings, load_settings, save_settings
from foundry_desktop.app.project_service import edit_errors


def key(args: argparse.Namespace) -> int:
    if args.key_command == "set":
        secret = sys.stdin.readline().strip() if args.stdin else getpass.getpass(f"{args.provider} API key: ")
        set_api_key(args.provider, secret)
        print(f"Kept the {args.provider} key in this machine's password store.")
    elif args.key_command == "remove":
        remove_api_key(args.provider)
        print(f"Forgot the {args.provider} key.")
    else:
        for provider in KEY_OWNERS:
            print(f"{provider:<14} {'has a key' if api_key(provider) else 'no key'}")
    return 0


def cloud(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.cloud_command == "set":
        current = settings.cloud.get(args.provider, CloudServiceSettings())
        asked = {"base_url": args.base_url.rstrip("/") if args.base_url else None, "default_model": args.model,
                 "poll_seconds": args.poll_seconds, "timeout_minutes": args.timeout_minutes}
        with edit_errors():
            changed = CloudServiceSettings.model_validate(
                {**current.model_dump(), **{name: value for name, value in asked.items() if value is not None}}
            )
        save_settings(settings.model_copy(update={"cloud": {**settings.cloud, args.provider: changed}}))
        print(f"{args.provider}: {_cloud_service_in_words(args.provider, changed)}")
        return 0
    for provider in API_PROVIDERS:
        service = settings.cloud.get(provider, CloudServiceSettings())
        print(f"{provider:<14} {_cloud_service_in_words(provider, service)}; {'key set' if api_key(provider) else 'no key'}")
    return 0


def _cloud_service_in_words(provider: str, service: CloudServiceSettings) -> str:
    where = service.base_url or ("not set up (needs --base-url)" if provider == "openai" else "its own address")
    words = f"{where}; model {service.default_model or 'default'}"
    if service.poll_seconds is not None:
        words += f"; status read every {service.poll_seconds:g} s at first"
    if service.timeout_minutes is not None:
        words += f"; gives up after {service.timeout_minutes:g} min"
    return words
