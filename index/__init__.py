"""The knowledge base: documents in, ranked answers out. Nothing here knows about Discord."""

import warnings

# Whoosh 2.7.4 has invalid escape sequences in its regexes; newer Pythons warn when compiling them.
# Silence those for whoosh's own files only, before anything imports it.
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r".*[\\/]whoosh[\\/]")
