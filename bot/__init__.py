"""The clikc-bot application: platform-neutral services, thin adapters (Discord, console) and the CLI."""
