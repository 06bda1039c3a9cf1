"""Package discovery and the shipped defaults; everything else is in pyproject.toml.

`config/` stays a folder of data in the repository (no Python in it); an installed bot finds the same
files as the package data `bot/defaults/` (see `bot.config.default_config_dir`).
"""

from setuptools import find_namespace_packages, setup

# config/samples (demo content), config/production (what `clikc-bot init` writes), …
DATA_FOLDERS = ["bot.defaults." + name for name in find_namespace_packages(where="config")]

setup(
    # Namespace discovery: bot.web has no __init__.py; its templates/ and static/ hold data only.
    packages=[
        *find_namespace_packages(include=["bot", "bot.*", "index", "index.*"], exclude=["*.__pycache__"]),
        "bot.defaults",
        *DATA_FOLDERS,
    ],
    package_dir={"bot.defaults": "config"},
    package_data={
        "bot.defaults": ["*.yaml"],
        **{name: ["*.md", "*.yaml"] for name in DATA_FOLDERS},
        "bot.web": ["strings.yaml", "templates/*.html", "static/*"],
    },
)
