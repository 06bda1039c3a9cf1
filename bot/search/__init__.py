"""Asking the knowledge base: requests and their filters, answer feedback, the browsable library."""
