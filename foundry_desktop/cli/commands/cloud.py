"""`foundry key` and `foundry cloud`: the cloud services' API keys, addresses and default models."""

from __future__ import annotations

import argparse
import getpass
import sys

from foundry_desktop.app.generation.api_keys import KEY_OWNERS
from foundry_desktop.app.generation.api_keys import PROVIDERS as API_PROVIDERS
from foundry_desktop.app.generation.api_keys import api_key, remove_api_key, set_api_key
from foundry_desktop.app.generation.cloud_models import cloud_catalogue
from foundry_desktop.app.generation.service_address import service_address
from foundry_desktop.app.generation.settings import (
    CloudServiceSettings,
    GenerationSettings,
    TransferSettings,
    load_settings,
    save_settings,
)
from foundry_desktop.app.project_service import edit_errors
from foundry_desktop.errors import InvalidEditError


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
    if args.cloud_command == "transfers":
        return _transfers(args, settings)
    if args.cloud_command == "set":
        current = settings.cloud.get(args.provider, CloudServiceSettings())
        with edit_errors():
            base_url = (service_address(args.base_url, service=args.provider, allow_insecure=args.allow_insecure)
                        if args.base_url else None)
        asked = {"base_url": base_url, "default_model": args.model,
                 "poll_seconds": args.poll_seconds, "timeout_minutes": args.timeout_minutes}
        with edit_errors():
            changed = CloudServiceSettings.model_validate(
                {**current.model_dump(), **{name: value for name, value in asked.items() if value is not None}}
            )
        save_settings(settings.model_copy(update={"cloud": {**settings.cloud, args.provider: changed}}))
        print(f"{args.provider}: {_cloud_service_in_words(args.provider, changed)}")
        return 0
    return _list(args.provider, settings)


def _list(only: str | None, settings: GenerationSettings) -> int:
    """Each service's set-up and key, then its models (what they accept and cost, when checked)."""
    listed = {entry.provider: entry for entry in cloud_catalogue(settings)}
    providers = list(dict.fromkeys([*API_PROVIDERS, *listed]))
    if only is not None and only not in providers:
        raise InvalidEditError(f"There is no cloud service called {only!r}; choose one of {', '.join(providers)}.")
    for provider in [only] if only else providers:
        service = settings.cloud.get(provider, CloudServiceSettings())
        print(f"{provider:<14} {_cloud_service_in_words(provider, service)}; {'key set' if api_key(provider) else 'no key'}")
        entry = listed.get(provider)
        for model in entry.models if entry else ():
            default = ", the default" if model.default else ""
            print(f"  {model.id:<20} {model.label}{default}: {model.accepts}; {model.price}; checked {model.checked}"
                  + (f" ({model.notes})" if model.notes else ""))
    if only is None:
        print(f"{'transfers':<14} {_transfers_in_words(settings.transfers)}")
    return 0


def _transfers(args: argparse.Namespace, settings: GenerationSettings) -> int:
    asked = {"deadline_minutes": args.deadline_minutes, "stall_seconds": args.stall_seconds}
    with edit_errors():
        transfers = TransferSettings.model_validate(
            {**settings.transfers.model_dump(), **{name: value for name, value in asked.items() if value is not None}})
    if transfers != settings.transfers:
        save_settings(settings.model_copy(update={"transfers": transfers}))
    print(f"Transfers: {_transfers_in_words(transfers)}")
    return 0


def _transfers_in_words(transfers: TransferSettings) -> str:
    return (f"a download or upload gives up after {transfers.deadline_minutes:g} min in all, or "
            f"{transfers.stall_seconds:g} s without a byte")


def _cloud_service_in_words(provider: str, service: CloudServiceSettings) -> str:
    where = service.base_url or ("not set up (needs --base-url)" if provider == "openai" else "its own address")
    words = f"{where}; model {service.default_model or 'default'}"
    if service.poll_seconds is not None:
        words += f"; status read every {service.poll_seconds:g} s at first"
    if service.timeout_minutes is not None:
        words += f"; gives up after {service.timeout_minutes:g} min"
    return words
