"""Plain text for a terminal, shared by the command line and the console: the commands both offer
(their options and what they print) and the renderings of answers and receipts (the statistics rows
every adapter shows are in bot.text.stats). It calls services and prints text; it imports no adapter."""
