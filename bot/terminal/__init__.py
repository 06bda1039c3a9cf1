"""Plain text for a terminal, shared by the command line and the console: the commands both offer
(their options and what they print) and the renderings of answers and receipts (statistics rows: bot.text.stats).
It calls services and returns or prints text; it imports no adapter."""
