"""The Discord adapter: translates discord.py events into service calls and results into embeds."""
